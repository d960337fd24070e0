using System.Collections.Concurrent;
using Autopilot.Actors.Sql.Database;
using Autopilot.Actors.Sql.GroupCommit;
using Autopilot.Actors.Sql.Journal;
using Npgsql;
using NpgsqlTypes;

namespace Autopilot.Actors.Sql.Postgres;

/// <summary>
/// A journal in PostgreSQL, shared by the nodes of a cluster.
/// </summary>
/// <remarks>
/// <para>
/// Group commit: whatever is queued is stored by one call of the <c>autopilot_append_batch</c> function, a single
/// statement and so a single transaction: one round trip and one WAL flush (<c>synchronous_commit = on</c>) for the
/// whole batch, with a handful of statements on the server however many writes it holds. The function checks each
/// write in call order against its stream (and the writes of the batch before it) and stores the accepted ones; a
/// rejected write (stale fencing token, sequence number taken, gap) is returned and fails alone. Up to
/// <see cref="PostgresJournalSettings.MaxConcurrentCommits"/> batches commit at once, each on its own writer
/// connection, so a writer acknowledged by one commit starts the next while another still waits for its flush
/// (PostgreSQL flushes concurrent commits together); a batch never takes a stream that a commit in flight holds, so
/// per-stream order is kept. Writes of one stream from two nodes at once cannot both be stored: the unique
/// (persistence_id, sequence_nr) key refuses the later one, and the batch is then retried one write per
/// transaction so only that write is rejected.
/// </para>
/// <para>
/// Offsets and live tails: an offset (BIGSERIAL) is taken before its transaction commits, and concurrent
/// transactions commit in any order, so a tail reading "after offset N" could skip a smaller offset that becomes
/// visible later. A write transaction therefore first takes an in-flight marker (an advisory lock keyed by the
/// sequence's next value, held until it ends) and only then its offsets, which are thus at or above its marker; and
/// EventsByTag and AllEvents pages stop below the settled horizon: the lowest marker, or the next offset when nothing
/// is in flight (read in that order, no lock needed). Every offset below it is committed or never will be. Commits overlap across the writers of a process and across nodes; a tail waits
/// only until the transactions older than an event have ended. A current query may thus end before an event that
/// committed while an older transaction was still in flight; it appears once that one ends.
/// </para>
/// <para>
/// Fencing: besides each stream's newest token (<c>journal_metadata</c>), one row (<c>journal_fence</c>) holds the
/// journal-wide fence that <see cref="SqlEventJournal.RaiseFenceAsync"/> raises for every node sharing the database.
/// A batch carrying a token holds an advisory lock shared until it commits and reads the fence once it holds it; a
/// raise that moves the fence up first ends the sessions holding that lock (only an older leader's writers can: a new
/// leader raises before it writes), then takes it exclusively. So a stale write in flight aborts — even one whose
/// process is frozen and would otherwise hold the lock for as long as its connection lives — and every write that
/// starts after the raise returned sees it.
/// </para>
/// <para>
/// Start-up retries, health, the group-commit queue and paging are <see cref="SqlEventJournal"/>'s; the
/// connection string's password never reaches a log, exception or health detail.
/// </para>
/// </remarks>
public sealed class PostgresEventJournal : SqlEventJournal
{
    private const string AppendSql = "SELECT write_index, stream_highest, stream_token FROM autopilot_append_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

    private readonly PostgresDatabase _database;

    /// <summary>Writer connections not in use by a commit; a commit takes one (or opens one) and puts it back.</summary>
    private readonly ConcurrentStack<NpgsqlConnection> _idleWriters = new();

    /// <summary>Creates the journal; call <see cref="SqlEventJournal.StartAsync"/> before writing.</summary>
    public PostgresEventJournal(PostgresJournalSettings settings, EventSerializer serializer, ILogger logger, TimeProvider timeProvider)
        : this(new PostgresDatabase(settings), settings, serializer, logger, timeProvider)
    {
    }

    private PostgresEventJournal(PostgresDatabase database, PostgresJournalSettings settings, EventSerializer serializer, ILogger logger, TimeProvider timeProvider)
        : base("PostgreSQL journal", database, settings, settings.MaxConcurrentCommits, serializer, logger, timeProvider)
    {
        _database = database;
    }

    private protected override SqlQuery HighestSequenceNrQuery(string persistenceId) =>
        new("SELECT highest_sequence_nr FROM journal_metadata WHERE persistence_id = $1", [Text(persistenceId)]);

    private protected override SqlQuery StreamPageQuery(string persistenceId, long from, long to, int limit) =>
        new($"SELECT {EventColumns} FROM event_journal e WHERE e.persistence_id = $1 AND e.sequence_nr >= $2 AND e.sequence_nr <= $3 ORDER BY e.sequence_nr LIMIT $4",
            [Text(persistenceId), Number(from), Number(to), new NpgsqlParameter<int> { TypedValue = limit }]);

    private protected override SqlQuery TagPageQuery(string tag, long afterOffset) =>
        new($"SELECT {EventColumns} FROM autopilot_events_by_tag($1, $2, {PageSize}) e", [Text(tag), Number(afterOffset)]);

    private protected override SqlQuery AllEventsPageQuery(long afterOffset) =>
        new($"SELECT {EventColumns} FROM autopilot_all_events($1, {PageSize}) e", [Number(afterOffset)]);

    private protected override SqlQuery PersistenceIdPageQuery(string after) =>
        new($"""
            SELECT m.persistence_id FROM journal_metadata m
            WHERE m.persistence_id COLLATE "C" > $1 AND EXISTS (SELECT 1 FROM event_journal e WHERE e.persistence_id = m.persistence_id)
            ORDER BY m.persistence_id COLLATE "C" LIMIT {PageSize}
            """, [Text(after)]);

    private protected override SqlQuery RaiseFenceQuery(long token) =>
        new("SELECT autopilot_raise_fence($1)", [Number(token)]);

    private protected override async Task DeleteEventsAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken)
    {
        await using var connection = await _database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // A batch without BEGIN runs as one implicit transaction: tags and events go together.
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                Command("""
                    DELETE FROM event_tag t USING event_journal e
                    WHERE e.persistence_id = $1 AND e.sequence_nr <= $2 AND t.tag = ANY (e.tags) AND t.ordering = e.ordering
                    """, Text(persistenceId), Number(toSequenceNr)),
                Command("DELETE FROM event_journal WHERE persistence_id = $1 AND sequence_nr <= $2", Text(persistenceId), Number(toSequenceNr)),
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private protected override async Task<JournalRejectedException?[]> CommitAsync(IReadOnlyList<PendingWrite> batch)
    {
        var writer = _idleWriters.TryPop(out var idle) ? idle : await _database.DataSource.OpenConnectionAsync().ConfigureAwait(false);
        JournalRejectedException?[] outcomes;
        try
        {
            outcomes = await CommitOnAsync(writer, batch).ConfigureAwait(false);
        }
        catch
        {
            await CloseAsync(writer).ConfigureAwait(false);
            throw;
        }

        _idleWriters.Push(writer);
        return outcomes;
    }

    private protected override async ValueTask CloseWriterAsync()
    {
        while (_idleWriters.TryPop(out var writer))
            await CloseAsync(writer).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores the batch with one statement; if PostgreSQL refuses it because of one write (data it cannot store, or a
    /// sequence number another node stored meanwhile) it rolled the whole statement back without saying whose write
    /// it was, so the writes are then stored one transaction each and only that write is rejected.
    /// </summary>
    private static async Task<JournalRejectedException?[]> CommitOnAsync(NpgsqlConnection writer, IReadOnlyList<PendingWrite> batch)
    {
        try
        {
            return await AppendAsync(writer, batch).ConfigureAwait(false);
        }
        catch (PostgresException e) when (RefusesOneWrite(e))
        {
            if (batch.Count == 1)
                return [RejectionFor(e, batch[0].Write)];
            var outcomes = new JournalRejectedException?[batch.Count];
            for (var i = 0; i < batch.Count; i++)
                outcomes[i] = (await CommitOnAsync(writer, [batch[i]]).ConfigureAwait(false))[0];
            return outcomes;
        }
    }

    private async ValueTask CloseAsync(NpgsqlConnection writer)
    {
        try
        {
            // Closing a connection with an open transaction makes the server roll it back.
            await writer.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or IOException)
        {
            Logger.LogDebug("Closing a PostgreSQL writer connection failed: {Detail}", _database.Connection.Explain(e));
        }
    }

    /// <summary>Other failures (a refused statement, a bug) leave the server reachable: health stays as it is.</summary>
    private protected override bool MeansUnreachable(Exception commitFailure) =>
        commitFailure is NpgsqlException { IsTransient: true } or IOException or TimeoutException;

    private protected override IReadOnlyList<string> ReadTags(DbDataReader reader, int ordinal) => reader.GetFieldValue<string[]>(ordinal);

    private protected override DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal) => new(reader.GetFieldValue<DateTime>(ordinal));

    /// <summary>
    /// Stores <paramref name="batch"/> with one call of <c>autopilot_append_batch</c>, a single statement and so
    /// its own transaction: one round trip, one WAL flush. The reader is consumed to the end (disposed) before the
    /// outcomes are returned, so the commit has completed, and a commit failure surfaces as an exception.
    /// </summary>
    private static async Task<JournalRejectedException?[]> AppendAsync(NpgsqlConnection writer, IReadOnlyList<PendingWrite> batch)
    {
        var outcomes = new JournalRejectedException?[batch.Count];
        await using var command = AppendCommand(writer, batch);
        await using (var reader = await command.ExecuteReaderAsync().ConfigureAwait(false))
        {
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                var index = reader.GetInt32(0) - 1;
                var write = batch[index].Write;
                long? newest = reader.IsDBNull(2) ? null : reader.GetInt64(2);
                outcomes[index] = AtomicWriteChecks.RejectionFor(write, reader.GetInt64(1), newest, journalFence: null)
                    ?? new JournalRejectedException($"PostgreSQL rejected the write to '{write.PersistenceId}' though it fits the stream's state.");
            }
        }

        return outcomes;
    }

    private static NpgsqlCommand AppendCommand(NpgsqlConnection writer, IReadOnlyList<PendingWrite> batch)
    {
        var eventCount = batch.Sum(p => p.Write.Events.Count);
        var pids = new string[batch.Count];
        var tokens = new long?[batch.Count];
        var lowest = new long[batch.Count];
        var highest = new long[batch.Count];
        var eventWrites = new int[eventCount];
        var sequenceNrs = new long[eventCount];
        var writtenAt = new DateTime[eventCount];
        var manifests = new string[eventCount];
        var versions = new int[eventCount];
        var payloads = new byte[eventCount][];
        var tagEvents = new List<int>();
        var tags = new List<string>();
        var e = 0;
        for (var w = 0; w < batch.Count; w++)
        {
            var write = batch[w].Write;
            pids[w] = write.PersistenceId;
            tokens[w] = write.FencingToken;
            lowest[w] = write.LowestSequenceNr;
            highest[w] = write.HighestSequenceNr;
            for (var i = 0; i < write.Events.Count; i++, e++)
            {
                var payload = batch[w].Payloads[i];
                eventWrites[e] = w + 1;
                sequenceNrs[e] = write.Events[i].SequenceNr;
                writtenAt[e] = write.Events[i].Timestamp.UtcDateTime;
                manifests[e] = payload.Manifest;
                versions[e] = payload.Version;
                payloads[e] = payload.Json;
                foreach (var tag in write.Events[i].Tags.Distinct())
                {
                    tagEvents.Add(e + 1);
                    tags.Add(tag);
                }
            }
        }

        var command = new NpgsqlCommand(AppendSql, writer);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = pids });
        command.Parameters.Add(new NpgsqlParameter<long?[]> { TypedValue = tokens, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = lowest });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = highest });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = eventWrites });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = sequenceNrs });
        command.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = writtenAt, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = manifests });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = versions });
        command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = payloads, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = tagEvents.ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = tags.ToArray() });
        return command;
    }

    /// <summary>
    /// Errors PostgreSQL raises because of one write: its data (class 22), a sequence number another node stored
    /// meanwhile (unique violation), or two nodes writing the same streams in opposite orders (deadlock).
    /// </summary>
    private static bool RefusesOneWrite(PostgresException e) =>
        e.SqlState.StartsWith("22", StringComparison.Ordinal) || e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DeadlockDetected;

    /// <summary>The rejection of a write committed alone whose statement failed with <paramref name="e"/> (see <see cref="RefusesOneWrite"/>).</summary>
    private static JournalRejectedException RejectionFor(PostgresException e, AtomicWrite write) =>
        e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DeadlockDetected
            ? new SequenceConflictException(write.PersistenceId, write.LowestSequenceNr)
            : new JournalRejectedException($"PostgreSQL refused the data of the write to '{write.PersistenceId}': {e.MessageText}", e);

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter<string> Text(string value) => new() { TypedValue = value };

    private static NpgsqlParameter<long> Number(long value) => new() { TypedValue = value };
}
