namespace Autopilot.Actors.Persistence.Journal;

/// <summary>
/// The contract every journal back end (in-memory, SQLite, PostgreSQL) fulfils; one contract test suite
/// runs against all of them.
/// </summary>
/// <remarks>
/// Failures are typed so a persistent actor can react as Akka users expect:
/// <see cref="JournalRejectedException"/> means this write can never succeed (serialization failure, sequence
/// number conflict, stale fencing token) and nothing was stored: the actor carries on (<c>OnPersistRejected</c>).
/// Any other exception means the journal could not tell whether it stored the write (connection lost, timeout):
/// the actor stops (<c>OnPersistFailure</c>) and a backoff supervisor restarts it, replaying what is durable.
/// A completed <see cref="WriteAsync"/> means the events are durable.
/// </remarks>
public interface IEventJournal : IAsyncDisposable
{
    /// <summary>
    /// Prepares the back end (creates its schema if missing, idempotently). Retries an unreachable database with
    /// capped backoff until <paramref name="cancellationToken"/> fires, reporting each attempt to <see cref="Health"/>.
    /// </summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>What the journal knows of its own health (for <c>/health</c>).</summary>
    JournalHealth Health { get; }

    /// <summary>
    /// Stores one atomic write durably. Concurrent calls may be committed together (group commit); calls for the
    /// same persistence id are stored in the order they were made.
    /// </summary>
    Task WriteAsync(AtomicWrite write, CancellationToken cancellationToken = default);

    /// <summary>
    /// Raises the journal-wide fence to <paramref name="token"/>: once this returns, every write carrying a fencing
    /// token lower than <paramref name="token"/> is rejected with <see cref="StaleFencingTokenException"/>, whatever
    /// its persistence id, including ids never written before. A raise never lowers the fence (raising to a lower
    /// token changes nothing); writes without a token are not fenced; the per-stream fence of
    /// <see cref="AtomicWrite.FencingToken"/> still applies. The fence is stored with the events, so it holds for
    /// every journal instance over the same store (every node sharing a PostgreSQL database) and across restarts.
    /// </summary>
    /// <remarks>
    /// Why: a new cluster singleton calls this with its lease token before it acts, so a deposed leader (paused,
    /// partitioned) can write to no stream at all, not even one (an alert outbox, say) the new leader has not
    /// written to yet and whose per-stream fence therefore still admits the old token. A stale write racing the
    /// raise is either stored before the raise returns or rejected: none is stored after it returned.
    /// </remarks>
    /// <param name="token">The fencing token of the lease just acquired.</param>
    /// <param name="cancellationToken">Abandons the call; the fence may or may not have been raised.</param>
    /// <exception cref="JournalUnavailableException">The store could not be reached: the fence may not be raised.</exception>
    Task RaiseFenceAsync(long token, CancellationToken cancellationToken);

    /// <summary>The highest sequence number stored for the stream (0 if none), including deleted ones.</summary>
    Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default);

    /// <summary>Events of one stream within [<paramref name="fromSequenceNr"/>, <paramref name="toSequenceNr"/>], ascending, at most <paramref name="max"/>.</summary>
    IAsyncEnumerable<EventEnvelope> ReplayAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max = long.MaxValue, CancellationToken cancellationToken = default);

    /// <summary>Deletes events of the stream up to and including <paramref name="toSequenceNr"/>; the highest sequence number is kept.</summary>
    Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default);

    /// <summary>Events carrying <paramref name="tag"/> with an offset greater than <paramref name="afterOffset"/>, in global offset order, as stored now.</summary>
    IAsyncEnumerable<EventEnvelope> CurrentEventsByTagAsync(string tag, long afterOffset, CancellationToken cancellationToken = default);

    /// <summary>All events with an offset greater than <paramref name="afterOffset"/>, in global order, as stored now.</summary>
    IAsyncEnumerable<EventEnvelope> CurrentAllEventsAsync(long afterOffset, CancellationToken cancellationToken = default);

    /// <summary>Every persistence id that has events, as stored now.</summary>
    IAsyncEnumerable<string> CurrentPersistenceIdsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Raised (on any thread) after a write commits in this process, so live queries wake without waiting for
    /// their polling interval. Writes made by other processes are found by polling.
    /// </summary>
    event Action? Written;
}
