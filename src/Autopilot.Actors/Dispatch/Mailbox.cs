namespace Autopilot.Actors.Dispatch;

/// <summary>
/// An actor's two queues (system and user) and its turn on the thread pool.
/// </summary>
/// <remarks>
/// Invariants: at most one thread runs <see cref="Execute"/> at a time (the <c>Scheduled</c> bit is its lock), so the
/// actor sees one message at a time; system messages are drained before every user message, so stop, watch and
/// supervision overtake queued user messages; a user queue is FIFO, so one sender's messages arrive in send order.
/// After <see cref="Close"/>, whatever arrives is turned into dead letters by the same single consumer.
/// </remarks>
internal sealed class Mailbox : IThreadPoolWorkItem
{
    private const int ScheduledBit = 1;
    private const int ClosedBit = 2;

    private readonly SegmentedMpscQueue<Envelope> _user = new();
    private readonly MpscQueue<SystemMessage> _system = new();
    private readonly ActorCell _cell;
    private readonly int _throughput;
    private readonly int _capacity;
    private readonly MailboxOverflow _overflow;
    private int _status;
    private int _count;

    public Mailbox(ActorCell cell, MailboxSettings settings, int throughput)
    {
        _cell = cell;
        _throughput = throughput;
        _capacity = settings.Capacity;
        _overflow = settings.Overflow;
    }

    /// <summary>
    /// Queued user messages (not counting unstashed ones), for the mailbox-depth metric. Exact for bounded mailboxes
    /// (they keep a count anyway); for unbounded ones a walk of the queue, so the hot path pays nothing for a figure
    /// that is read only when metrics are scraped.
    /// </summary>
    public int Count => _capacity > 0 ? Volatile.Read(ref _count) : _user.CountApproximately();

    public bool IsClosed => (Volatile.Read(ref _status) & ClosedBit) != 0;

    public void Post(in Envelope envelope)
    {
        if (_capacity > 0 && Interlocked.Increment(ref _count) > _capacity)
        {
            Interlocked.Decrement(ref _count);
            if (_overflow == MailboxOverflow.Throw)
            {
                throw new MailboxFullException($"Mailbox of {_cell.Self.Path} is full ({_capacity} messages); {envelope.Message.GetType().Name} was not delivered.");
            }

            _cell.System.DeadLetter(envelope.Message, envelope.Sender, _cell.Self, "mailbox full");
            return;
        }

        _user.Enqueue(envelope);
        Schedule();
    }

    public void PostSystem(SystemMessage message)
    {
        _system.Enqueue(message);
        Schedule();
    }

    /// <summary>Refuses further processing; queued and future messages become dead letters.</summary>
    public void Close()
    {
        int status;
        do
        {
            status = Volatile.Read(ref _status);
        }
        while (Interlocked.CompareExchange(ref _status, status | ClosedBit, status) != status);
    }

    public void Schedule()
    {
        var status = Volatile.Read(ref _status);
        if ((status & ScheduledBit) != 0)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _status, status | ScheduledBit, status) == status)
        {
            // The global queue, not the scheduling thread's local one: local queues run newest-first for their own
            // thread, so two chatty actors could keep re-queuing ahead of every other mailbox on that thread.
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    public void Execute()
    {
        var previous = ActorCell.Current;
        ActorCell.Current = _cell;
        try
        {
            if (IsClosed)
            {
                DrainAfterClose();
                return;
            }

            ProcessSystemMessages();
            for (var left = _throughput; left > 0 && !IsClosed; left--)
            {
                if (!_cell.CanProcessUserMessages || !TryDequeueUser(out var envelope))
                {
                    break;
                }

                _cell.Invoke(envelope);
                ProcessSystemMessages();
            }

            if (IsClosed)
            {
                DrainAfterClose();
            }
        }
        finally
        {
            ActorCell.Current = previous;
            Interlocked.And(ref _status, ~ScheduledBit);
            if (HasWork())
            {
                Schedule();
            }
        }
    }

    private bool HasWork() =>
        !_system.IsEmpty || ((IsClosed || _cell.CanProcessUserMessages) && (!_user.IsEmpty || _cell.HasUnstashed));

    private bool TryDequeueUser(out Envelope envelope)
    {
        if (_cell.TryTakeUnstashed(out envelope))
        {
            return true;
        }

        if (_user.TryDequeue(out envelope))
        {
            if (_capacity > 0)
            {
                Interlocked.Decrement(ref _count);
            }

            return true;
        }

        return false;
    }

    private void ProcessSystemMessages()
    {
        while (!IsClosed && _system.TryDequeue(out var message))
        {
            _cell.SystemInvoke(message);
        }
    }

    private void DrainAfterClose()
    {
        while (_system.TryDequeue(out var message))
        {
            _cell.SystemInvokeAfterTermination(message);
        }

        while (TryDequeueUser(out var envelope))
        {
            _cell.System.DeadLetter(envelope.Message, envelope.Sender, _cell.Self);
        }
    }
}
