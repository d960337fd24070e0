namespace Autopilot.Actors;

internal sealed partial class ActorCell : IStash
{
    private List<Envelope>? _stash;
    private Queue<Envelope>? _unstashed;

    public bool HasUnstashed => _unstashed is { Count: > 0 };

    public bool TryTakeUnstashed(out Envelope envelope)
    {
        if (_unstashed is { Count: > 0 })
        {
            envelope = _unstashed.Dequeue();
            return true;
        }

        envelope = default;
        return false;
    }

    void IStash.Stash()
    {
        if (_current.Message is null)
        {
            throw new InvalidOperationException("Stash() may only be called while processing a message.");
        }

        _stash ??= [];
        if (_stash.Count > 0 && ReferenceEquals(_stash[^1].Message, _current.Message) && _stash[^1].Sender.Equals(_current.Sender))
        {
            throw new InvalidOperationException($"The message {_current.Message.GetType().Name} was already stashed.");
        }

        _stash.Add(_current);
    }

    void IStash.Unstash()
    {
        if (_stash is { Count: > 0 })
        {
            var first = _stash[0];
            _stash.RemoveAt(0);
            Prepend([first]);
        }
    }

    void IStash.UnstashAll()
    {
        if (_stash is { Count: > 0 })
        {
            var all = _stash.ToArray();
            _stash.Clear();
            Prepend(all);
        }
    }

    IReadOnlyList<Envelope> IStash.ClearStash()
    {
        var cleared = _stash?.ToArray() ?? [];
        _stash?.Clear();
        return cleared;
    }

    int IStash.Count => _stash?.Count ?? 0;

    /// <summary>Puts messages at the front of the mailbox, before anything already unstashed, keeping their order.</summary>
    internal void Prepend(Envelope[] envelopes)
    {
        if (_unstashed is not { Count: > 0 })
        {
            _unstashed ??= new Queue<Envelope>();
            foreach (var envelope in envelopes)
            {
                _unstashed.Enqueue(envelope);
            }

            return;
        }

        var merged = new Queue<Envelope>(envelopes.Length + _unstashed.Count);
        foreach (var envelope in envelopes)
        {
            merged.Enqueue(envelope);
        }

        foreach (var envelope in _unstashed)
        {
            merged.Enqueue(envelope);
        }

        _unstashed = merged;
    }

    /// <summary>Takes <paramref name="envelope"/> (that very delivery) back out of the front of the mailbox, if it is there.</summary>
    internal bool Withdraw(in Envelope envelope)
    {
        if (_unstashed is not { Count: > 0 })
        {
            return false;
        }

        var kept = new Queue<Envelope>(_unstashed.Count);
        var found = false;
        foreach (var waiting in _unstashed)
        {
            if (!found && waiting.IsSameDelivery(envelope))
            {
                found = true;
                continue;
            }

            kept.Enqueue(waiting);
        }

        _unstashed = kept;
        return found;
    }

    /// <summary>On restart the stash is not lost: it goes back to the front of the mailbox for the new instance.</summary>
    private void UnstashAllOnRestart() => ((IStash)this).UnstashAll();

    /// <summary>On stop, stashed and unstashed-but-unprocessed messages become dead letters.</summary>
    private void DeadLetterStash()
    {
        foreach (var envelope in _stash ?? [])
        {
            System.DeadLetter(envelope.Message, envelope.Sender, Self);
        }

        while (TryTakeUnstashed(out var envelope))
        {
            System.DeadLetter(envelope.Message, envelope.Sender, Self);
        }

        _stash = null;
    }
}
