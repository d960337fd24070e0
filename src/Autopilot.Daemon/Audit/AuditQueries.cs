using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Persistence;

namespace Autopilot.Daemon.Audit;

/// <summary>
/// The read side of the journal for the HTTP edge: Akka.Persistence.Query's SQL read journal
/// (<c>akka.persistence.query.journal.sql</c>) as async streams. Current queries end at the journal's present end;
/// live queries (<see cref="EventsByTag"/>) keep polling (<c>refresh-interval</c>) until the caller cancels.
/// </summary>
/// <remarks>
/// Offsets are the journal's global <c>ordering</c> (<see cref="Sequence"/>): a query from offset <c>n</c> returns events
/// after <c>n</c>, and an envelope's offset is the resume point of a reconnecting client. Pages of the newest events
/// start from an offset found in the daemon's tag index (<see cref="JournalDatabase.OffsetBeforeNewestAsync"/>) instead of
/// reading the stream from its beginning.
/// </remarks>
public sealed class AuditQueries
{
    private readonly SqlReadJournal _readJournal;
    private readonly IMaterializer _materializer;
    private readonly JournalDatabase _database;

    /// <summary>Creates the queries over <paramref name="system"/>'s SQL read journal.</summary>
    public AuditQueries(ActorSystem system, JournalDatabase database)
    {
        _readJournal = OpenReadJournal(system);
        _materializer = system.Materializer();
        _database = database;
    }

    /// <summary>
    /// Akka.Persistence.Sql's read journal waits a fixed 5 s for the write journal to be ready (tables created) and
    /// throws after that; a first start on a busy machine can take longer. Asking again is quick once the tables exist,
    /// so the start gives up only after several such waits.
    /// </summary>
    private static SqlReadJournal OpenReadJournal(ActorSystem system)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(ReadJournalId);
            }
            catch (Exception e) when (attempt < ReadJournalAttempts && e.GetBaseException() is AskTimeoutException or TimeoutException)
            {
                system.Log.Warning("The journal is not ready yet (attempt {0} of {1}); waiting for it again.", attempt, ReadJournalAttempts);
            }
        }
    }

    private const int ReadJournalAttempts = 12;

    /// <summary>HOCON path of the SQL read journal.</summary>
    public const string ReadJournalId = "akka.persistence.query.journal.sql";

    /// <summary>The read journal itself (the hand-over follows the intake's stream with it).</summary>
    public SqlReadJournal ReadJournal => _readJournal;

    /// <summary>Events with <paramref name="tag"/> after <paramref name="afterOffset"/> up to the present end.</summary>
    public IAsyncEnumerable<EventEnvelope> CurrentEventsByTag(string tag, long afterOffset, CancellationToken cancellationToken) =>
        Run(_readJournal.CurrentEventsByTag(tag, Offset.Sequence(afterOffset)), cancellationToken);

    /// <summary>Events with <paramref name="tag"/> after <paramref name="afterOffset"/>, live: never ends until cancelled.</summary>
    public IAsyncEnumerable<EventEnvelope> EventsByTag(string tag, long afterOffset, CancellationToken cancellationToken) =>
        Run(_readJournal.EventsByTag(tag, Offset.Sequence(afterOffset)), cancellationToken);

    /// <summary>One stream's events from <paramref name="fromSequenceNr"/> up to its present end.</summary>
    public IAsyncEnumerable<EventEnvelope> CurrentEventsByPersistenceId(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken) =>
        Run(_readJournal.CurrentEventsByPersistenceId(persistenceId, fromSequenceNr, long.MaxValue), cancellationToken);

    /// <summary>The offset of the newest event with <paramref name="tag"/> (a live tail without a resume point starts there).</summary>
    public Task<long> EndOffsetAsync(string tag, CancellationToken cancellationToken) => _database.NewestOffsetAsync(tag, cancellationToken);

    /// <summary>
    /// The newest <paramref name="take"/> events with <paramref name="tag"/> that pass <paramref name="keep"/>, oldest
    /// first. Reads a window of the newest tagged events and widens it (doubling) only while too few pass the filter,
    /// so a page costs about what it returns, not the journal's length; never past the newest <paramref name="maxWindow"/>.
    /// </summary>
    public async Task<IReadOnlyList<T>> LatestAsync<T>(string tag, int take, Func<EventEnvelope, T?> keep, CancellationToken cancellationToken,
        int maxWindow = int.MaxValue)
        where T : class
    {
        var window = Math.Max(take, 64);
        while (true)
        {
            var start = await _database.OffsetBeforeNewestAsync(tag, window, cancellationToken).ConfigureAwait(false);
            var kept = new List<T>();
            await foreach (var envelope in CurrentEventsByTag(tag, start, cancellationToken).ConfigureAwait(false))
            {
                if (keep(envelope) is { } item)
                {
                    kept.Add(item);
                }
            }

            if (kept.Count >= take || start == 0 || window >= maxWindow)
            {
                return kept.Count > take ? kept.GetRange(kept.Count - take, take) : kept;
            }

            window = window >= int.MaxValue / 2 ? int.MaxValue : window * 2;
        }
    }

    private async IAsyncEnumerable<EventEnvelope> Run(Source<EventEnvelope, Akka.NotUsed> source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var killSwitch = KillSwitches.Shared("audit-query");
        await using var registration = cancellationToken.Register(() => killSwitch.Shutdown()).ConfigureAwait(false);
        var envelopes = source.Via(killSwitch.Flow<EventEnvelope>()).RunAsAsyncEnumerable(_materializer);
        await foreach (var envelope in envelopes.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return envelope;
        }
    }
}

/// <summary>Conversions of journal envelopes shared by the audit views.</summary>
public static class EnvelopeTime
{
    /// <summary>
    /// When an envelope was written: Akka.Persistence.Sql stores the write time in the envelope's timestamp (ticks of
    /// UTC); an audit event's own <see cref="IAuditEvent.At"/> is used when the timestamp is missing.
    /// </summary>
    public static DateTimeOffset Of(EventEnvelope envelope)
    {
        var stamp = envelope.Timestamp;
        if (stamp > 100_000_000_000_000L && stamp < DateTime.MaxValue.Ticks)
        {
            return new DateTimeOffset(stamp, TimeSpan.Zero);
        }

        if (stamp > 0 && stamp < 100_000_000_000_000L)
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(stamp);
        }

        return envelope.Event is IAuditEvent audit ? audit.At : DateTimeOffset.MinValue;
    }

    /// <summary>The envelope's global offset (0 when it has none).</summary>
    public static long OffsetOf(EventEnvelope envelope) => envelope.Offset is Sequence sequence ? sequence.Value : 0;
}
