using System.Runtime.CompilerServices;
using Autopilot.Actors.Persistence.Journal;

namespace Autopilot.Actors.Persistence.Query;

/// <summary>
/// Read-side queries over a journal, for projections and the audit view: "current" queries return what is stored
/// now and complete; live queries keep delivering new events until cancelled.
/// </summary>
/// <remarks>
/// Live queries wake as soon as a write commits through the same <see cref="IEventJournal"/> instance
/// (<see cref="IEventJournal.Written"/>) and otherwise poll every <see cref="PollInterval"/>, which is how they see
/// writes of other processes sharing the database. They resume from the last offset (or sequence number) they
/// delivered, so an event is delivered once, in order; a journal never returns an offset while a smaller one may
/// still appear (SQLite commits offsets in increasing order, PostgreSQL reads stop below offsets still in flight),
/// so a tail never skips an event that commits later with a smaller offset.
/// </remarks>
public sealed class PersistenceQuery
{
    /// <summary>Polling interval used when none is given.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);

    private readonly IEventJournal _journal;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates queries over <paramref name="journal"/>.</summary>
    /// <param name="journal">The journal to read.</param>
    /// <param name="pollInterval">How often live queries look for writes of other processes.</param>
    /// <param name="timeProvider">Clock for the polling interval (virtual in tests).</param>
    public PersistenceQuery(IEventJournal journal, TimeSpan? pollInterval = null, TimeProvider? timeProvider = null)
    {
        _journal = journal ?? throw new ArgumentNullException(nameof(journal));
        PollInterval = pollInterval ?? DefaultPollInterval;
        if (PollInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(pollInterval), pollInterval, "The polling interval must be positive.");
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How often live queries poll for writes they were not told about.</summary>
    public TimeSpan PollInterval { get; }

    /// <summary>Events of one stream within the range, as stored now.</summary>
    public IAsyncEnumerable<EventEnvelope> CurrentEventsByPersistenceId(string persistenceId, long fromSequenceNr = 1, long toSequenceNr = long.MaxValue, CancellationToken cancellationToken = default) =>
        _journal.ReplayAsync(persistenceId, fromSequenceNr, toSequenceNr, long.MaxValue, cancellationToken);

    /// <summary>Events of one stream within the range, then new ones as they are written; completes once <paramref name="toSequenceNr"/> is delivered.</summary>
    public async IAsyncEnumerable<EventEnvelope> EventsByPersistenceId(string persistenceId, long fromSequenceNr = 1, long toSequenceNr = long.MaxValue, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var wake = new JournalWakeSignal(_journal, PollInterval, _timeProvider);
        var next = Math.Max(1, fromSequenceNr);
        while (next <= toSequenceNr)
        {
            var written = wake.Next;
            await foreach (var envelope in _journal.ReplayAsync(persistenceId, next, toSequenceNr, long.MaxValue, cancellationToken).ConfigureAwait(false))
            {
                next = envelope.SequenceNr + 1;
                yield return envelope;
            }

            if (next > toSequenceNr)
                yield break;
            await wake.WaitAsync(written, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Events carrying <paramref name="tag"/> after <paramref name="afterOffset"/>, in offset order, as stored now.</summary>
    public IAsyncEnumerable<EventEnvelope> CurrentEventsByTag(string tag, long afterOffset = 0, CancellationToken cancellationToken = default) =>
        _journal.CurrentEventsByTagAsync(tag, afterOffset, cancellationToken);

    /// <summary>Events carrying <paramref name="tag"/> after <paramref name="afterOffset"/>, in offset order, then new ones as they are written.</summary>
    public IAsyncEnumerable<EventEnvelope> EventsByTag(string tag, long afterOffset = 0, CancellationToken cancellationToken = default) =>
        LiveByOffset((offset, ct) => _journal.CurrentEventsByTagAsync(tag, offset, ct), afterOffset, cancellationToken);

    /// <summary>All events after <paramref name="afterOffset"/>, in offset order, as stored now.</summary>
    public IAsyncEnumerable<EventEnvelope> CurrentAllEvents(long afterOffset = 0, CancellationToken cancellationToken = default) =>
        _journal.CurrentAllEventsAsync(afterOffset, cancellationToken);

    /// <summary>All events after <paramref name="afterOffset"/>, in offset order, then new ones as they are written.</summary>
    public IAsyncEnumerable<EventEnvelope> AllEvents(long afterOffset = 0, CancellationToken cancellationToken = default) =>
        LiveByOffset(_journal.CurrentAllEventsAsync, afterOffset, cancellationToken);

    /// <summary>Every persistence id that has events, as stored now.</summary>
    public IAsyncEnumerable<string> CurrentPersistenceIds(CancellationToken cancellationToken = default) =>
        _journal.CurrentPersistenceIdsAsync(cancellationToken);

    /// <summary>Every persistence id that has events, then each new one once as it appears.</summary>
    public async IAsyncEnumerable<string> PersistenceIds([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var wake = new JournalWakeSignal(_journal, PollInterval, _timeProvider);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var written = wake.Next;
            await foreach (var id in _journal.CurrentPersistenceIdsAsync(cancellationToken).ConfigureAwait(false))
            {
                if (seen.Add(id))
                    yield return id;
            }

            await wake.WaitAsync(written, cancellationToken).ConfigureAwait(false);
        }
    }

    private async IAsyncEnumerable<EventEnvelope> LiveByOffset(
        Func<long, CancellationToken, IAsyncEnumerable<EventEnvelope>> current,
        long afterOffset,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var wake = new JournalWakeSignal(_journal, PollInterval, _timeProvider);
        var offset = afterOffset;
        while (true)
        {
            var written = wake.Next;
            await foreach (var envelope in current(offset, cancellationToken).ConfigureAwait(false))
            {
                offset = envelope.Offset;
                yield return envelope;
            }

            await wake.WaitAsync(written, cancellationToken).ConfigureAwait(false);
        }
    }
}
