namespace Autopilot.Actors.Persistence.Journal;

/// <summary>
/// A journal that wraps another and forwards everything to it: derive from it to add one concern (metrics, fault
/// injection in tests) by overriding just the members that concern touches.
/// </summary>
public abstract class EventJournalDecorator(IEventJournal inner) : IEventJournal
{
    /// <summary>The wrapped journal.</summary>
    protected IEventJournal Inner { get; } = inner;

    /// <inheritdoc />
    public event Action? Written
    {
        add => Inner.Written += value;
        remove => Inner.Written -= value;
    }

    /// <inheritdoc />
    public virtual JournalHealth Health => Inner.Health;

    /// <inheritdoc />
    public virtual Task StartAsync(CancellationToken cancellationToken) => Inner.StartAsync(cancellationToken);

    /// <inheritdoc />
    public virtual Task WriteAsync(AtomicWrite write, CancellationToken cancellationToken = default) => Inner.WriteAsync(write, cancellationToken);

    /// <inheritdoc />
    public virtual Task RaiseFenceAsync(long token, CancellationToken cancellationToken) => Inner.RaiseFenceAsync(token, cancellationToken);

    /// <inheritdoc />
    public virtual Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default) =>
        Inner.ReadHighestSequenceNrAsync(persistenceId, cancellationToken);

    /// <inheritdoc />
    public virtual IAsyncEnumerable<EventEnvelope> ReplayAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max = long.MaxValue, CancellationToken cancellationToken = default) =>
        Inner.ReplayAsync(persistenceId, fromSequenceNr, toSequenceNr, max, cancellationToken);

    /// <inheritdoc />
    public virtual Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default) =>
        Inner.DeleteMessagesToAsync(persistenceId, toSequenceNr, cancellationToken);

    /// <inheritdoc />
    public virtual IAsyncEnumerable<EventEnvelope> CurrentEventsByTagAsync(string tag, long afterOffset, CancellationToken cancellationToken = default) =>
        Inner.CurrentEventsByTagAsync(tag, afterOffset, cancellationToken);

    /// <inheritdoc />
    public virtual IAsyncEnumerable<EventEnvelope> CurrentAllEventsAsync(long afterOffset, CancellationToken cancellationToken = default) =>
        Inner.CurrentAllEventsAsync(afterOffset, cancellationToken);

    /// <inheritdoc />
    public virtual IAsyncEnumerable<string> CurrentPersistenceIdsAsync(CancellationToken cancellationToken = default) =>
        Inner.CurrentPersistenceIdsAsync(cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return Inner.DisposeAsync();
    }
}
