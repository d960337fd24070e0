using System.Globalization;
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
/// Group commit: one writer connection per process commits whatever is queued in one transaction, sent as a single
/// <see cref="NpgsqlBatch"/> (one round trip, one WAL flush with <c>synchronous_commit = on</c>). Each atomic write
/// runs inside its own savepoint and is checked and stored by the <c>autopilot_append_events</c> function; if it is
/// rejected (stale fencing token, sequence number taken, gap, bad data) the writer rolls back to that savepoint,
/// fails only that call and sends the rest of the batch again.
/// </para>
/// <para>
/// Offsets and live tails: a BIGSERIAL value is taken when a row is inserted but becomes visible when its
/// transaction commits, so two concurrent transactions can commit offsets out of order and a tail reading "after
/// offset N" could skip a smaller offset that commits later. Within a process the single writer loop never runs
/// two write transactions at once. Across processes every write transaction first takes the transaction-level
/// advisory lock <see cref="PostgresDatabase.JournalWriteLockKey"/>, held until commit, so journal writes of all
/// nodes are serialized and offsets become visible in increasing order. We chose the lock over "only read below
/// the lowest in-flight offset" because it is simple and exact; its cost (writers of different nodes queue for the
/// lock) is small because each holder commits a whole group of writes at once.
/// </para>
/// <para>
/// Fencing: besides each stream's newest token (<c>journal_metadata</c>), one row (<c>journal_fence</c>) holds the
/// journal-wide fence that <see cref="SqlEventJournal.RaiseFenceAsync"/> raises for every node sharing the database.
/// A write carrying a token reads that row <c>FOR SHARE</c> inside its transaction, so a raise waits for stale
/// writes already in flight and every write that starts after the raise committed sees it.
/// </para>
/// <para>
/// Start-up retries, health, the group-commit queue and paging are <see cref="SqlEventJournal"/>'s; the
/// connection string's password never reaches a log, exception or health detail.
/// </para>
/// </remarks>
public sealed class PostgresEventJournal : SqlEventJournal
{
    private const string AppendSql = "SELECT autopilot_append_events($1, $2, $3, $4, $5, $6, $7, $8, $9)";

    private readonly PostgresDatabase _database;
    private NpgsqlConnection? _writer;

    /// <summary>Creates the journal; call <see cref="SqlEventJournal.StartAsync"/> before writing.</summary>
    public PostgresEventJournal(PostgresJournalSettings settings, EventSerializer serializer, ILogger logger, TimeProvider timeProvider)
        : this(new PostgresDatabase(settings), settings, serializer, logger, timeProvider)
    {
    }

    private PostgresEventJournal(PostgresDatabase database, PostgresJournalSettings settings, EventSerializer serializer, ILogger logger, TimeProvider timeProvider)
        : base("PostgreSQL journal", database, settings, serializer, logger, timeProvider)
    {
        _database = database;
    }

    private protected override SqlQuery HighestSequenceNrQuery(string persistenceId) =>
        new("SELECT highest_sequence_nr FROM journal_metadata WHERE persistence_id = $1", [Text(persistenceId)]);

    private protected override SqlQuery StreamPageQuery(string persistenceId, long from, long to, int limit) =>
        new($"SELECT {EventColumns} FROM event_journal e WHERE e.persistence_id = $1 AND e.sequence_nr >= $2 AND e.sequence_nr <= $3 ORDER BY e.sequence_nr LIMIT $4",
            [Text(persistenceId), Number(from), Number(to), new NpgsqlParameter<int> { TypedValue = limit }]);

    private protected override SqlQuery TagPageQuery(string tag, long afterOffset) =>
        new($"SELECT {EventColumns} FROM event_tag t JOIN event_journal e ON e.ordering = t.ordering WHERE t.tag = $1 AND t.ordering > $2 ORDER BY t.ordering LIMIT {PageSize}",
            [Text(tag), Number(afterOffset)]);

    private protected override SqlQuery AllEventsPageQuery(long afterOffset) =>
        new($"SELECT {EventColumns} FROM event_journal e WHERE e.ordering > $1 ORDER BY e.ordering LIMIT {PageSize}", [Number(afterOffset)]);

    private protected override SqlQuery PersistenceIdPageQuery(string after) =>
        new($"""
            SELECT m.persistence_id FROM journal_metadata m
            WHERE m.persistence_id COLLATE "C" > $1 AND EXISTS (SELECT 1 FROM event_journal e WHERE e.persistence_id = m.persistence_id)
            ORDER BY m.persistence_id COLLATE "C" LIMIT {PageSize}
            """, [Text(after)]);

    private protected override SqlQuery RaiseFenceQuery(long token) =>
        new("UPDATE journal_fence SET token = GREATEST(token, $1)", [Number(token)]);

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
        var outcomes = new JournalRejectedException?[batch.Count];
        _writer ??= await _database.DataSource.OpenConnectionAsync().ConfigureAwait(false);
        var resumeAt = 0;
        var afterRejection = false;
        while (true)
        {
            var (commands, writeOfCommand) = BuildTransaction(batch, resumeAt, afterRejection);
            await using var npgsqlBatch = new NpgsqlBatch(_writer);
            foreach (var command in commands)
                npgsqlBatch.BatchCommands.Add(command);
            try
            {
                await npgsqlBatch.ExecuteNonQueryAsync().ConfigureAwait(false);
                return outcomes;
            }
            catch (PostgresException e) when (FailedWrite(commands, writeOfCommand) is { } index && RejectionFor(e, batch[index].Write) is { } rejection)
            {
                // The transaction is open but aborted inside write `index`'s savepoint: undo just that write.
                outcomes[index] = rejection;
                resumeAt = index + 1;
                afterRejection = true;
            }
        }
    }

    private protected override async ValueTask CloseWriterAsync()
    {
        if (_writer is null)
            return;
        try
        {
            // Closing a connection with an open transaction makes the server roll it back.
            await _writer.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or IOException)
        {
            Logger.LogDebug("Closing the PostgreSQL writer connection failed: {Detail}", _database.Connection.Explain(e));
        }

        _writer = null;
    }

    /// <summary>Other failures (a refused statement, a bug) leave the server reachable: health stays as it is.</summary>
    private protected override bool MeansUnreachable(Exception commitFailure) =>
        commitFailure is NpgsqlException { IsTransient: true } or IOException or TimeoutException;

    private protected override IReadOnlyList<string> ReadTags(DbDataReader reader, int ordinal) => reader.GetFieldValue<string[]>(ordinal);

    private protected override DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal) => new(reader.GetFieldValue<DateTime>(ordinal));

    /// <summary>
    /// The statements of one round trip: open the transaction and take the cross-process write lock (or, after a
    /// rejection, roll back to the rejected write's savepoint), each remaining write in its own savepoint, commit.
    /// </summary>
    private static (List<NpgsqlBatchCommand> Commands, Dictionary<NpgsqlBatchCommand, int> WriteOfCommand) BuildTransaction(IReadOnlyList<PendingWrite> batch, int resumeAt, bool afterRejection)
    {
        var commands = new List<NpgsqlBatchCommand>(3 + (3 * (batch.Count - resumeAt)));
        var writeOfCommand = new Dictionary<NpgsqlBatchCommand, int>();
        if (afterRejection)
        {
            commands.Add(new NpgsqlBatchCommand("ROLLBACK TO SAVEPOINT w"));
            commands.Add(new NpgsqlBatchCommand("RELEASE SAVEPOINT w"));
        }
        else
        {
            commands.Add(new NpgsqlBatchCommand("BEGIN"));
            commands.Add(new NpgsqlBatchCommand($"SELECT pg_advisory_xact_lock({PostgresDatabase.JournalWriteLockKey})"));
        }

        for (var i = resumeAt; i < batch.Count; i++)
        {
            var savepoint = new NpgsqlBatchCommand("SAVEPOINT w");
            var append = AppendCommand(batch[i]);
            var release = new NpgsqlBatchCommand("RELEASE SAVEPOINT w");
            commands.Add(savepoint);
            commands.Add(append);
            commands.Add(release);
            writeOfCommand[savepoint] = i;
            writeOfCommand[append] = i;
            writeOfCommand[release] = i;
        }

        commands.Add(new NpgsqlBatchCommand("COMMIT"));
        return (commands, writeOfCommand);
    }

    private static NpgsqlBatchCommand AppendCommand(PendingWrite pending)
    {
        var events = pending.Write.Events;
        var sequenceNrs = new long[events.Count];
        var writtenAt = new DateTime[events.Count];
        var manifests = new string[events.Count];
        var versions = new int[events.Count];
        var payloads = new byte[events.Count][];
        var tagSequenceNrs = new List<long>();
        var tags = new List<string>();
        for (var i = 0; i < events.Count; i++)
        {
            sequenceNrs[i] = events[i].SequenceNr;
            writtenAt[i] = events[i].Timestamp.UtcDateTime;
            manifests[i] = pending.Payloads[i].Manifest;
            versions[i] = pending.Payloads[i].Version;
            payloads[i] = pending.Payloads[i].Json;
            foreach (var tag in events[i].Tags)
            {
                tagSequenceNrs.Add(events[i].SequenceNr);
                tags.Add(tag);
            }
        }

        return Command(AppendSql,
            Text(pending.Write.PersistenceId),
            new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = pending.Write.FencingToken is { } token ? token : DBNull.Value },
            new NpgsqlParameter<long[]> { TypedValue = sequenceNrs },
            new NpgsqlParameter<DateTime[]> { TypedValue = writtenAt, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
            new NpgsqlParameter<string[]> { TypedValue = manifests },
            new NpgsqlParameter<int[]> { TypedValue = versions },
            new NpgsqlParameter<byte[][]> { TypedValue = payloads, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea },
            new NpgsqlParameter<long[]> { TypedValue = tagSequenceNrs.ToArray() },
            new NpgsqlParameter<string[]> { TypedValue = tags.ToArray() });
    }

    /// <summary>
    /// The write whose statement failed: the first statement without a completion (Npgsql sets
    /// <see cref="NpgsqlBatchCommand.StatementType"/> when a statement completes; PostgreSQL skips everything after an
    /// error). PostgresException.BatchCommand would be simpler, but Npgsql leaves it null for batches executed this way.
    /// </summary>
    private static int? FailedWrite(List<NpgsqlBatchCommand> commands, Dictionary<NpgsqlBatchCommand, int> writeOfCommand)
    {
        var failed = commands.Find(c => c.StatementType == StatementType.Unknown);
        return failed is not null && writeOfCommand.TryGetValue(failed, out var index) ? index : null;
    }

    /// <summary>Maps an error raised inside one write's savepoint to a rejection of that write, or null if the batch cannot go on.</summary>
    private static JournalRejectedException? RejectionFor(PostgresException e, AtomicWrite write) => e.SqlState switch
    {
        "AP001" => new StaleFencingTokenException(write.PersistenceId, write.FencingToken ?? 0, long.Parse(e.Detail ?? "0", CultureInfo.InvariantCulture)),
        "AP002" or PostgresErrorCodes.UniqueViolation => new SequenceConflictException(write.PersistenceId, write.LowestSequenceNr),
        "AP003" => new JournalRejectedException($"Write to '{write.PersistenceId}' starts at sequence number {write.LowestSequenceNr} but the stream ends at {e.Detail}: it would leave a gap."),
        _ when e.SqlState.StartsWith("22", StringComparison.Ordinal) => new JournalRejectedException($"PostgreSQL refused the data of the write to '{write.PersistenceId}': {e.MessageText}", e),
        _ => null,
    };

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter<string> Text(string value) => new() { TypedValue = value };

    private static NpgsqlParameter<long> Number(long value) => new() { TypedValue = value };
}
