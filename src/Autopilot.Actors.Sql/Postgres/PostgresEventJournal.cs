using System.Globalization;
using System.Runtime.CompilerServices;
using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.Serialization;
using Autopilot.Actors.Sql.Connectivity;
using Autopilot.Actors.Sql.GroupCommit;
using Microsoft.Extensions.Logging;
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
/// Start-up retries an unreachable database with capped exponential backoff, reporting each attempt in
/// <see cref="Health"/>; the connection string's password never reaches a log, exception or health detail.
/// </para>
/// </remarks>
public sealed class PostgresEventJournal : IEventJournal
{
    private const int PageSize = 4096;
    private const string EventColumns = "e.ordering, e.persistence_id, e.sequence_nr, e.written_at, e.manifest, e.schema_version, e.payload, e.tags";
    private const string AppendSql = "SELECT autopilot_append_events($1, $2, $3, $4, $5, $6, $7, $8, $9)";

    private readonly PostgresDatabase _database;
    private readonly EventSerializer _serializer;
    private readonly ILogger _logger;
    private readonly StoreHealth _health;
    private readonly StartupRetry _startup;
    private readonly GroupCommitQueue _queue;
    private NpgsqlConnection? _writer;
    private volatile bool _disposed;

    /// <summary>Creates the journal; call <see cref="StartAsync"/> before writing.</summary>
    public PostgresEventJournal(PostgresJournalSettings settings, EventSerializer serializer, ILogger logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _database = new PostgresDatabase(settings.ConnectionString);
        _serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _health = new StoreHealth("PostgreSQL journal", _database.Connection, logger);
        _startup = new StartupRetry("PostgreSQL journal", _health, settings.StartupBackoff, logger, timeProvider ?? throw new ArgumentNullException(nameof(timeProvider)));
        _queue = new GroupCommitQueue(CommitBatchAsync, settings.MaxBatchSize);
    }

    /// <inheritdoc />
    public event Action? Written;

    /// <inheritdoc />
    public JournalHealth Health => _health.Current;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _startup.RunAsync(_database.EnsureSchemaAsync, cancellationToken).ConfigureAwait(false);
        _queue.Start();
    }

    /// <inheritdoc />
    public Task WriteAsync(AtomicWrite write, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_queue.IsRunning)
            throw new JournalUnavailableException($"The PostgreSQL journal has not started yet ({Health.Detail ?? "starting"}).");
        write.EnsureWellFormed();
        var payloads = write.Events.Select(e => _serializer.Serialize(e.Payload)).ToArray();
        return _queue.EnqueueAsync(new PendingWrite(write, payloads), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await _database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT highest_sequence_nr FROM journal_metadata WHERE persistence_id = $1", connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = persistenceId });
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long highest ? highest : 0;
        }
        catch (NpgsqlException e)
        {
            throw Unavailable("read the highest sequence number", e);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<EventEnvelope> ReplayAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max = long.MaxValue, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = fromSequenceNr;
        var remaining = max;
        while (remaining > 0 && next <= toSequenceNr)
        {
            var limit = (int)Math.Min(remaining, PageSize);
            var page = await ReadPageAsync(
                $"SELECT {EventColumns} FROM event_journal e WHERE e.persistence_id = $1 AND e.sequence_nr >= $2 AND e.sequence_nr <= $3 ORDER BY e.sequence_nr LIMIT $4",
                [new NpgsqlParameter<string> { TypedValue = persistenceId }, new NpgsqlParameter<long> { TypedValue = next }, new NpgsqlParameter<long> { TypedValue = toSequenceNr }, new NpgsqlParameter<int> { TypedValue = limit }],
                cancellationToken).ConfigureAwait(false);
            foreach (var envelope in page)
                yield return envelope;
            if (page.Count < limit)
                yield break;
            next = page[^1].SequenceNr + 1;
            remaining -= page.Count;
        }
    }

    /// <inheritdoc />
    public async Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
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
                        """, new NpgsqlParameter<string> { TypedValue = persistenceId }, new NpgsqlParameter<long> { TypedValue = toSequenceNr }),
                    Command("DELETE FROM event_journal WHERE persistence_id = $1 AND sequence_nr <= $2",
                        new NpgsqlParameter<string> { TypedValue = persistenceId }, new NpgsqlParameter<long> { TypedValue = toSequenceNr }),
                },
            };
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw Unavailable("delete events", e);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<EventEnvelope> CurrentEventsByTagAsync(string tag, long afterOffset, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var after = afterOffset;
        while (true)
        {
            var page = await ReadPageAsync(
                $"SELECT {EventColumns} FROM event_tag t JOIN event_journal e ON e.ordering = t.ordering WHERE t.tag = $1 AND t.ordering > $2 ORDER BY t.ordering LIMIT {PageSize}",
                [new NpgsqlParameter<string> { TypedValue = tag }, new NpgsqlParameter<long> { TypedValue = after }],
                cancellationToken).ConfigureAwait(false);
            foreach (var envelope in page)
                yield return envelope;
            if (page.Count < PageSize)
                yield break;
            after = page[^1].Offset;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<EventEnvelope> CurrentAllEventsAsync(long afterOffset, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var after = afterOffset;
        while (true)
        {
            var page = await ReadPageAsync(
                $"SELECT {EventColumns} FROM event_journal e WHERE e.ordering > $1 ORDER BY e.ordering LIMIT {PageSize}",
                [new NpgsqlParameter<long> { TypedValue = after }],
                cancellationToken).ConfigureAwait(false);
            foreach (var envelope in page)
                yield return envelope;
            if (page.Count < PageSize)
                yield break;
            after = page[^1].Offset;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> CurrentPersistenceIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var after = "";
        while (true)
        {
            var page = new List<string>(PageSize);
            try
            {
                await using var connection = await _database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand($"""
                    SELECT m.persistence_id FROM journal_metadata m
                    WHERE m.persistence_id > $1 AND EXISTS (SELECT 1 FROM event_journal e WHERE e.persistence_id = m.persistence_id)
                    ORDER BY m.persistence_id COLLATE "C" LIMIT {PageSize}
                    """, connection);
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = after });
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    page.Add(reader.GetString(0));
            }
            catch (NpgsqlException e)
            {
                throw Unavailable("read persistence ids", e);
            }

            foreach (var id in page)
                yield return id;
            if (page.Count < PageSize)
                yield break;
            after = page[^1];
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        await _queue.DisposeAsync().ConfigureAwait(false);
        if (_writer is not null)
            await _writer.DisposeAsync().ConfigureAwait(false);
        _writer = null;
        await _database.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Commits one group-commit batch; runs only on the queue's loop, which owns <see cref="_writer"/>.</summary>
    private async Task CommitBatchAsync(IReadOnlyList<PendingWrite> batch)
    {
        var outcomes = new JournalRejectedException?[batch.Count];
        try
        {
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
                    break;
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
        catch (Exception e)
        {
            await AbandonWriterAsync().ConfigureAwait(false);
            if (e is NpgsqlException { IsTransient: true } or IOException or TimeoutException)
                _health.ReportUnreachable(e, logTransition: true);
            throw Unavailable("commit", e);
        }

        _health.ReportHealthy();
        var anyStored = false;
        for (var i = 0; i < batch.Count; i++)
        {
            if (outcomes[i] is { } rejection)
                batch[i].Fail(rejection);
            else
            {
                batch[i].Succeed();
                anyStored = true;
            }
        }

        if (anyStored)
            NotifyWritten();
    }

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
            new NpgsqlParameter<string> { TypedValue = pending.Write.PersistenceId },
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

    private async Task AbandonWriterAsync()
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
            _logger.LogDebug("Closing the PostgreSQL writer connection failed: {Detail}", _database.Connection.Explain(e));
        }

        _writer = null;
    }

    private void NotifyWritten()
    {
        try
        {
            Written?.Invoke();
        }
        catch (Exception e)
        {
            _logger.LogError(e, "A Written subscriber of the PostgreSQL journal threw");
        }
    }

    private async Task<List<EventEnvelope>> ReadPageAsync(string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken)
    {
        var page = new List<EventEnvelope>();
        try
        {
            await using var connection = await _database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddRange(parameters);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var persistenceId = reader.GetString(1);
                var sequenceNr = reader.GetInt64(2);
                var payload = new SerializedPayload(reader.GetString(4), reader.GetInt32(5), reader.GetFieldValue<byte[]>(6));
                page.Add(new EventEnvelope(
                    reader.GetInt64(0),
                    persistenceId,
                    sequenceNr,
                    _serializer.Deserialize(payload, persistenceId, sequenceNr),
                    reader.GetFieldValue<string[]>(7),
                    new DateTimeOffset(reader.GetFieldValue<DateTime>(3))));
            }
        }
        catch (NpgsqlException e)
        {
            throw Unavailable("read events", e);
        }

        return page;
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private JournalUnavailableException Unavailable(string operation, Exception e) =>
        new($"The PostgreSQL journal could not {operation} ({_database.Connection.Explain(e)}); the outcome is unknown.", e);
}
