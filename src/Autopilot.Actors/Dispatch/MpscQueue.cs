namespace Autopilot.Actors.Dispatch;

/// <summary>
/// Unbounded multi-producer single-consumer FIFO queue (a linked list with a stub node, after Vyukov): the system-message
/// queue of a mailbox.
/// </summary>
/// <remarks>
/// System messages are rare, so what matters is the idle cost: two fields and one small node. (User messages, which
/// can be many, go through <see cref="SegmentedMpscQueue{T}"/>, which does not allocate per message.) Enqueue is one
/// exchange; dequeue is only ever called by the mailbox's single running consumer. FIFO overall.
/// </remarks>
internal sealed class MpscQueue<T>
{
    private sealed class Node
    {
        public T Item = default!;
        public Node? Next;
    }

    private Node _head; // consumer side: the node before the first item
    private Node _tail; // producer side: the last node

    public MpscQueue()
    {
        _head = _tail = new Node();
    }

    /// <summary>Adds an item; safe from any thread.</summary>
    public void Enqueue(T item)
    {
        var node = new Node { Item = item };
        var previous = Interlocked.Exchange(ref _tail, node);
        Volatile.Write(ref previous.Next, node);
    }

    /// <summary>Takes the oldest item; only the single consumer may call it.</summary>
    /// <remarks>
    /// Between a producer's exchange and its link write the queue briefly looks empty past that point; the consumer
    /// then reports empty and the producer's own schedule call brings it back, so nothing is lost.
    /// </remarks>
    public bool TryDequeue(out T item)
    {
        var next = Volatile.Read(ref _head.Next);
        if (next is null)
        {
            item = default!;
            return false;
        }

        item = next.Item;
        next.Item = default!;
        _head = next;
        return true;
    }

    /// <summary>Whether the queue looks empty to the consumer, counting items whose link is still being written.</summary>
    public bool IsEmpty => Volatile.Read(ref _head.Next) is null && ReferenceEquals(Volatile.Read(ref _tail), _head);
}
