using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.Snapshots;

namespace Autopilot.Actors.Persistence;

/// <summary>
/// The machinery of an event-sourced actor: recovery from the latest snapshot plus the events after it, then
/// commands; <c>Persist</c> writes events and runs their handlers once they are durable, holding back further
/// commands until then; <c>PersistAsync</c> does not hold them back; handlers always run in the order the events were
/// persisted. Journal failure (outcome unknown) and rejection (nothing stored) are reported separately, as
/// <see cref="OnPersistFailure"/> (the actor then fails with <see cref="PersistenceFailureException"/>) and
/// <see cref="OnPersistRejected"/> (the actor carries on).
/// </summary>
/// <remarks>
/// Commands held back by a <c>Persist</c> go back to the front of the mailbox one at a time, each once the previous
/// one was handled without persisting (or its events are durable): a burst of n commands costs O(n), not the O(n²) of
/// putting the whole backlog back after every write. They survive a restart (the new instance handles them after its
/// recovery) and become dead letters when the actor stops. A <c>Persist</c> in an async command handler is sent when
/// the handler's step that called it ends, and holds back later commands like any other.
/// </remarks>
public abstract class Eventsourced : ActorBase
{
    private readonly Queue<Invocation> _pending = new();
    private readonly List<AtomicWrite> _batch = [];
    private readonly List<Invocation> _batchInvocations = [];
    private readonly SortedDictionary<long, Envelope> _finishedOutOfOrder = new();
    private readonly LinkedList<Envelope> _heldBack = new();
    private PersistenceExtension? _persistence;
    private long _sequenceNr;
    private long _lastDurableSequenceNr;
    private long _nextWriteId;
    private long _nextResultId;
    private int _pendingStashing;

    /// <summary>The held-back command put back at the front of the mailbox and not handled yet (at most one at a time).</summary>
    private Envelope? _released;

    /// <summary>The stream this actor's events are written to. Must be stable across restarts and processes.</summary>
    public abstract string PersistenceId { get; }

    /// <summary>Sequence number of the last event persisted or replayed.</summary>
    public long LastSequenceNr => _sequenceNr;

    /// <summary>Whether recovery is still running.</summary>
    public bool IsRecovering { get; private set; } = true;

    /// <summary>What to replay on start; override to limit it.</summary>
    protected virtual Recovery Recovery => Recovery.Default;

    private PersistenceExtension Persistence => _persistence ??= PersistenceExtension.Get(Context.System);

    /// <summary>Handles a replayed event, a <see cref="SnapshotOffer"/> or <see cref="RecoveryCompleted"/>.</summary>
    protected abstract bool ReceiveRecover(object message);

    /// <summary>Handles a command.</summary>
    protected abstract bool ReceiveCommand(object message);

    /// <summary>Tags stored with <paramref name="event"/> (for queries by tag); none by default.</summary>
    protected virtual IReadOnlyList<string> TagsFor(object @event) => [];

    /// <summary>Persists one event; <paramref name="handler"/> runs once it is durable. Commands wait until then.</summary>
    protected void Persist<TEvent>(TEvent @event, Action<TEvent> handler)
        where TEvent : notnull => Enqueue([@event], handler, stashing: true);

    /// <summary>Persists events atomically (all or none); <paramref name="handler"/> runs for each, in order.</summary>
    protected void PersistAll<TEvent>(IEnumerable<TEvent> events, Action<TEvent> handler)
        where TEvent : notnull => Enqueue(events.ToArray(), handler, stashing: true);

    /// <summary>Persists one event without holding back commands; handlers still run in persist order.</summary>
    protected void PersistAsync<TEvent>(TEvent @event, Action<TEvent> handler)
        where TEvent : notnull => Enqueue([@event], handler, stashing: false);

    /// <summary>Runs <paramref name="handler"/> after the handlers of everything persisted before it (at once if nothing is pending).</summary>
    protected void Defer<TEvent>(TEvent @event, Action<TEvent> handler)
        where TEvent : notnull
    {
        if (_pending.Count == 0 && _batchInvocations.Count == 0)
        {
            handler(@event);
            return;
        }

        _batchInvocations.Add(new Invocation(@event, e => handler((TEvent)e), Stashing: false, WriteId: -1));
    }

    /// <summary>Saves a snapshot at <see cref="LastSequenceNr"/>; the outcome arrives as <see cref="SaveSnapshotSuccess"/> or <see cref="SaveSnapshotFailure"/>.</summary>
    protected void SaveSnapshot(object snapshot)
    {
        var metadata = new SnapshotMetadata(PersistenceId, LastSequenceNr, Context.System.Scheduler.Now);
        var self = Self;
        Persistence.SnapshotStore.SaveAsync(metadata, snapshot).ContinueWith(
            t => self.Tell(t.IsCompletedSuccessfully ? new SaveSnapshotSuccess(metadata) : new SaveSnapshotFailure(metadata, Cause(t)), self),
            TaskScheduler.Default);
    }

    /// <summary>Deletes snapshots matching <paramref name="criteria"/>; the outcome arrives as a message.</summary>
    protected void DeleteSnapshots(SnapshotSelectionCriteria criteria)
    {
        var self = Self;
        Persistence.SnapshotStore.DeleteAsync(PersistenceId, criteria).ContinueWith(
            t => self.Tell(t.IsCompletedSuccessfully ? new DeleteSnapshotsSuccess(criteria) : new DeleteSnapshotsFailure(criteria, Cause(t)), self),
            TaskScheduler.Default);
    }

    /// <summary>Deletes events up to <paramref name="toSequenceNr"/>; the outcome arrives as a message.</summary>
    protected void DeleteMessages(long toSequenceNr)
    {
        var self = Self;
        Persistence.Journal.DeleteMessagesToAsync(PersistenceId, toSequenceNr).ContinueWith(
            t => self.Tell(t.IsCompletedSuccessfully ? new DeleteMessagesSuccess(toSequenceNr) : new DeleteMessagesFailure(toSequenceNr, Cause(t)), self),
            TaskScheduler.Default);
    }

    /// <summary>The journal could not write (outcome unknown). Logged here; the actor then fails with <see cref="PersistenceFailureException"/>.</summary>
    protected virtual void OnPersistFailure(Exception cause, object @event, long sequenceNr) =>
        Context.GetLogger().Error(cause, $"Failed to persist event {@event.GetType().Name} #{sequenceNr} of '{PersistenceId}': {cause.Message}");

    /// <summary>The journal refused the event (nothing stored). Logged here; the actor carries on.</summary>
    protected virtual void OnPersistRejected(Exception cause, object @event, long sequenceNr) =>
        Context.GetLogger().Warning($"Rejected event {@event.GetType().Name} #{sequenceNr} of '{PersistenceId}': {cause.Message}", cause);

    /// <summary>Recovery failed. Logged here; the actor then fails with <see cref="PersistenceFailureException"/>.</summary>
    protected virtual void OnRecoveryFailure(Exception cause, object? @event) =>
        Context.GetLogger().Error(cause, $"Recovery of '{PersistenceId}' failed{(@event is null ? "" : $" at {@event.GetType().Name}")}: {cause.Message}");

    /// <inheritdoc />
    protected internal sealed override bool Receive(object message)
    {
        if (message is WriteFinished finished)
        {
            if (ReferenceEquals(finished.Owner, this))
            {
                HandleWriteFinished(finished);
            }

            // else: a write of the instance before a restart; the new instance recovered what was durable.
            return true;
        }

        var current = Cell.CurrentEnvelope;
        var wasReleased = _released is { } released && released.IsSameDelivery(current);
        if (wasReleased)
        {
            _released = null;
        }

        if (_pendingStashing > 0)
        {
            // A released command met a Persist made meanwhile (by an async handler): it is still the oldest.
            if (wasReleased)
            {
                _heldBack.AddFirst(current);
            }
            else
            {
                _heldBack.AddLast(current);
            }

            return true;
        }

        var handled = ReceiveCommand(message);
        FlushBatch();
        ReleaseNextHeldBack();
        return handled;
    }

    internal override void AfterAsyncStep()
    {
        base.AfterAsyncStep();
        FlushBatch();
    }

    internal override void AroundPreRestart(Exception reason, object? message)
    {
        ReturnHeldBackToMailbox();
        base.AroundPreRestart(reason, message);
    }

    internal override void AroundPostStop()
    {
        ReturnHeldBackToMailbox(); // from there the stopping cell turns them into dead letters
        base.AroundPostStop();
    }

    internal override void AroundPreStart()
    {
        base.AroundPreStart();
        StartRecovery();
    }

    internal override void AroundPostRestart(Exception reason)
    {
        base.AroundPostRestart(reason);
        StartRecovery();
    }

    private void StartRecovery() => Cell.RunAsyncHandler(RecoverAsync);

    private async Task RecoverAsync()
    {
        // Always asynchronous, so a failure surfaces as this actor's PersistenceFailureException (which a backoff
        // supervisor restarts) rather than as an initialization failure of its constructor (which stops it for good).
        await Task.Yield();
        object? current = null;
        try
        {
            var recovery = Recovery;
            var snapshot = recovery.FromSnapshot.MaxSequenceNr > 0
                ? await Persistence.SnapshotStore.LoadAsync(PersistenceId, recovery.FromSnapshot)
                : null;
            if (snapshot is not null)
            {
                _sequenceNr = snapshot.Metadata.SequenceNr;
                current = snapshot;
                Recover(new SnapshotOffer(snapshot.Metadata, snapshot.Snapshot));
            }

            if (recovery.ReplayMax > 0 && recovery.ToSequenceNr > _sequenceNr)
            {
                await foreach (var envelope in Persistence.Journal.ReplayAsync(PersistenceId, _sequenceNr + 1, recovery.ToSequenceNr, recovery.ReplayMax))
                {
                    current = envelope.Event;
                    _sequenceNr = envelope.SequenceNr;
                    Recover(envelope.Event);
                }
            }

            current = null;
            _sequenceNr = Math.Max(_sequenceNr, await Persistence.Journal.ReadHighestSequenceNrAsync(PersistenceId));
            _lastDurableSequenceNr = _sequenceNr;
        }
        catch (Exception exception)
        {
            OnRecoveryFailure(exception, current);
            throw new PersistenceFailureException($"Recovery of '{PersistenceId}' failed: {exception.Message}", exception);
        }

        IsRecovering = false;
        Recover(RecoveryCompleted.Instance);
        FlushBatch();
    }

    private void Recover(object message)
    {
        if (!ReceiveRecover(message) && message is not RecoveryCompleted and not SnapshotOffer)
        {
            Unhandled(message);
        }
    }

    private void Enqueue<TEvent>(IReadOnlyList<TEvent> events, Action<TEvent> handler, bool stashing)
        where TEvent : notnull
    {
        if (IsRecovering)
        {
            throw new InvalidOperationException("Cannot persist during recovery: replayed events are already stored.");
        }

        if (events.Count == 0)
        {
            return;
        }

        var writeId = _nextWriteId++;
        var now = Context.System.Scheduler.Now;
        var persistent = new PersistentEvent[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            persistent[i] = new PersistentEvent(PersistenceId, ++_sequenceNr, events[i], TagsFor(events[i]), now);
            _batchInvocations.Add(new Invocation(events[i], e => handler((TEvent)e), stashing, writeId));
        }

        _batch.Add(new AtomicWrite(PersistenceId, persistent, Persistence.FencingToken));
    }

    /// <summary>Sends what the last command (or handler) persisted to the journal; results come back in write order.</summary>
    private void FlushBatch()
    {
        foreach (var invocation in _batchInvocations)
        {
            _pending.Enqueue(invocation);
            _pendingStashing += invocation.Stashing ? 1 : 0;
        }

        _batchInvocations.Clear();
        var sender = Cell.CurrentEnvelope.Sender ?? Context.System.DeadLetters;
        var self = Self;
        var journal = Persistence.Journal;
        var firstId = _nextWriteId - _batch.Count;
        for (var i = 0; i < _batch.Count; i++)
        {
            var write = _batch[i];
            var id = firstId + i;
            journal.WriteAsync(write).ContinueWith(
                t => self.Tell(new WriteFinished(this, id, write, t.IsCompletedSuccessfully ? null : Cause(t)), sender),
                TaskScheduler.Default);
        }

        _batch.Clear();
        RunDeferredAtHead();
    }

    private void HandleWriteFinished(WriteFinished finished)
    {
        // Continuations may deliver results out of order; handlers must not run out of order.
        _finishedOutOfOrder[finished.WriteId] = Cell.CurrentEnvelope;
        while (_finishedOutOfOrder.Remove(_nextResultId, out var envelope))
        {
            _nextResultId++;
            var result = (WriteFinished)envelope.Message;
            Cell.SetCurrentEnvelope(envelope);
            Complete(result);
        }

        FlushBatch();
        ReleaseNextHeldBack();
    }

    /// <summary>Once nothing persisted holds commands back, puts the oldest held-back one at the front of the mailbox.</summary>
    private void ReleaseNextHeldBack()
    {
        if (_pendingStashing > 0 || _released is not null || _heldBack.First is not { } oldest)
        {
            return;
        }

        _heldBack.RemoveFirst();
        _released = oldest.Value;
        Cell.Prepend([oldest.Value]);
    }

    /// <summary>
    /// Puts every held-back command at the front of the mailbox, oldest first (the instance is going away). A released
    /// command not handled yet is older than all of them, so it goes first; the rest of the mailbox stays behind them.
    /// </summary>
    private void ReturnHeldBackToMailbox()
    {
        if (_released is { } released && Cell.Withdraw(released))
        {
            _heldBack.AddFirst(released);
        }

        _released = null;
        if (_heldBack.Count > 0)
        {
            Cell.Prepend([.. _heldBack]);
            _heldBack.Clear();
        }
    }

    private void Complete(WriteFinished result)
    {
        switch (result.Cause)
        {
            case null:
                _lastDurableSequenceNr = result.Write.HighestSequenceNr;
                foreach (var _ in result.Write.Events)
                {
                    var invocation = Dequeue();
                    invocation.Handler(invocation.Event);
                    RunDeferredAtHead();
                }

                break;
            case JournalRejectedException rejected:
                foreach (var stored in result.Write.Events)
                {
                    Dequeue();
                    OnPersistRejected(rejected, stored.Payload, stored.SequenceNr);
                }

                // Nothing was stored. Writes already in flight behind it will be refused too (they would leave a gap);
                // once none is left, numbering continues from the last durable event.
                if (!_pending.Any(i => i.WriteId >= 0) && _batch.Count == 0)
                {
                    _sequenceNr = _lastDurableSequenceNr;
                }

                RunDeferredAtHead();
                break;
            default:
                var first = result.Write.Events[0];
                OnPersistFailure(result.Cause, first.Payload, first.SequenceNr);
                throw new PersistenceFailureException($"Journal failed to persist event #{first.SequenceNr} of '{PersistenceId}': {result.Cause.Message}", result.Cause);
        }
    }

    private Invocation Dequeue()
    {
        var invocation = _pending.Dequeue();
        _pendingStashing -= invocation.Stashing ? 1 : 0;
        return invocation;
    }

    private void RunDeferredAtHead()
    {
        while (_pending.TryPeek(out var head) && head.WriteId < 0)
        {
            Dequeue().Handler(head.Event);
        }
    }

    private static Exception Cause(Task task) => task.Exception?.InnerException ?? new TaskCanceledException(task);

    private sealed record Invocation(object Event, Action<object> Handler, bool Stashing, long WriteId);

    /// <summary>The journal's answer to one atomic write, told to the actor with the command's sender.</summary>
    private sealed record WriteFinished(Eventsourced Owner, long WriteId, AtomicWrite Write, Exception? Cause);
}
