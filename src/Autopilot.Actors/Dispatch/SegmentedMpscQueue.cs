namespace Autopilot.Actors.Dispatch;

/// <summary>
/// Unbounded multi-producer single-consumer FIFO queue of ring-buffer segments: the user-message queue of a mailbox.
/// </summary>
/// <remarks>
/// Why not <see cref="System.Collections.Concurrent.ConcurrentQueue{T}"/>: its first segment has 32 padded slots, so
/// an idle actor would pay about a kilobyte for an empty queue. Why not a linked list of nodes: one allocation per
/// message halves throughput under load. Here the first ring has 2 slots; a producer that finds the ring full freezes
/// it and links one twice as large (up to <see cref="MaxSegmentLength"/>), so a busy actor soon reuses one ring without
/// allocating while an idle one stays small.
/// Invariants: slot sequence numbers follow Vyukov's bounded queue (a slot at position p is free for the producer of p
/// when its sequence is p, holds an item when it is p + 1); a frozen ring accepts no more items (its tail was pushed
/// past any reachable position), so the consumer may leave it once it has taken everything below the frozen tail,
/// and no producer's items are ever split out of order across rings.
/// </remarks>
internal sealed class SegmentedMpscQueue<T>
{
    private const int InitialSegmentLength = 2;
    private const int MaxSegmentLength = 4096;

    private Segment _head;
    private Segment _tail;

    public SegmentedMpscQueue()
    {
        _head = _tail = new Segment(InitialSegmentLength);
    }

    /// <summary>Adds an item; safe from any thread.</summary>
    public void Enqueue(T item)
    {
        while (true)
        {
            var tail = Volatile.Read(ref _tail);
            if (tail.TryEnqueue(item))
            {
                return;
            }

            Grow(tail);
        }
    }

    /// <summary>Takes the oldest item; only the single consumer may call it.</summary>
    public bool TryDequeue(out T item)
    {
        while (true)
        {
            var head = _head;
            if (head.TryDequeue(out item))
            {
                return true;
            }

            var next = Volatile.Read(ref head.Next);
            if (next is null || !head.IsDrained)
            {
                return false; // empty, or an item still being written: its producer schedules the mailbox again
            }

            _head = next;
        }
    }

    /// <summary>Whether no published item waits (items still being written count as absent: their producer reschedules).</summary>
    public bool IsEmpty
    {
        get
        {
            for (var segment = _head; segment is not null; segment = Volatile.Read(ref segment.Next))
            {
                if (segment.HasPublishedItem)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Items queued, approximately while producers and the consumer run.</summary>
    public int CountApproximately()
    {
        var count = 0;
        for (var segment = Volatile.Read(ref _head); segment is not null; segment = Volatile.Read(ref segment.Next))
        {
            count += segment.CountApproximately;
        }

        return count;
    }

    private void Grow(Segment full)
    {
        lock (this) // private to its mailbox; a ring fills up rarely
        {
            if (!ReferenceEquals(_tail, full))
            {
                return; // another producer already moved on
            }

            full.Freeze();
            var next = new Segment(Math.Min(full.Length * 2, MaxSegmentLength));
            Volatile.Write(ref full.Next, next);
            Volatile.Write(ref _tail, next);
        }
    }

    private sealed class Segment
    {
        private readonly Slot[] _slots;
        private readonly int _mask;
        private int _headIndex; // consumer only
        private int _tailIndex; // producers, by compare-and-swap
        private int _frozenTail;
        private bool _frozen;

        public Segment? Next;

        public Segment(int length)
        {
            _slots = new Slot[length];
            _mask = length - 1;
            for (var i = 0; i < length; i++)
            {
                _slots[i].Sequence = i;
            }
        }

        public int Length => _slots.Length;

        public bool IsDrained => Volatile.Read(ref _frozen) && _headIndex == _frozenTail;

        public bool HasPublishedItem => Volatile.Read(ref _slots[_headIndex & _mask].Sequence) == _headIndex + 1;

        public int CountApproximately => Math.Max(0, (Volatile.Read(ref _frozen) ? _frozenTail : Volatile.Read(ref _tailIndex)) - Volatile.Read(ref _headIndex));

        public bool TryEnqueue(T item)
        {
            var spinner = default(SpinWait);
            while (true)
            {
                var tail = Volatile.Read(ref _tailIndex);
                ref var slot = ref _slots[tail & _mask];
                var difference = Volatile.Read(ref slot.Sequence) - tail;
                if (difference == 0)
                {
                    if (Interlocked.CompareExchange(ref _tailIndex, tail + 1, tail) == tail)
                    {
                        slot.Item = item;

                        // A full fence, not a release write: the producer next reads the mailbox status, and the
                        // consumer, going idle, clears that status and then reads this slot. Both sides must order
                        // their store before their load, or each could miss the other's and the message would sit
                        // in an idle mailbox.
                        Interlocked.Exchange(ref slot.Sequence, tail + 1);
                        return true;
                    }
                }
                else if (difference < 0)
                {
                    return false; // full (or frozen): the caller moves to a new ring
                }

                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }

        public bool TryDequeue(out T item)
        {
            var head = _headIndex;
            ref var slot = ref _slots[head & _mask];
            if (Volatile.Read(ref slot.Sequence) != head + 1)
            {
                item = default!;
                return false;
            }

            item = slot.Item;
            slot.Item = default!;
            Volatile.Write(ref slot.Sequence, head + _slots.Length);
            _headIndex = head + 1;
            return true;
        }

        /// <summary>
        /// Stops further enqueues: the tail jumps past every position a producer could still claim, so a racing
        /// compare-and-swap fails and that producer moves on to the next ring.
        /// </summary>
        public void Freeze()
        {
            // Indices wrap around int.MaxValue on a long-lived ring; all comparisons are of differences, so that is fine.
            _frozenTail = Interlocked.Add(ref _tailIndex, 2 * _slots.Length) - (2 * _slots.Length);
            Volatile.Write(ref _frozen, true);
        }

        private struct Slot
        {
            public T Item;
            public int Sequence;
        }
    }
}
