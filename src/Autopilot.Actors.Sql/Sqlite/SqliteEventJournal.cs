using System.Runtime.CompilerServices;
using System.Text.Json;
using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.Serialization;
using Autopilot.Actors.Sql.Connectivity;
using Autopilot.Actors.Sql.GroupCommit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Autopilot.Actors.Sql.Sqlite;

/// <summary>
/// A journal in one SQLite file (WAL, synchronous=FULL): durable on acknowledgement, for single-node deployments.
/// </summary>
/// <remarks>
/// Writes go through a group commit: a single writer connection commits whatever is queued in one transaction
/// (one fsync), each atomic write inside its own savepoint so a rejected write fails alone. Offsets come from an
/// AUTOINCREMENT key assigned under SQLite's single write lock, so they grow in commit order and a live tag query
/// never skips an event. Reads use other (pooled) connections and read page by page so they never hold a read
/// transaction open while the consumer works.
/// </remarks>
public sealed class SqliteEventJournal : IEventJournal
{
    private const int PageSize = 4096;
    private const string EventColumns = "e.ordering, e.persistence_id, e.sequence_nr, e.written_at, e.manifest, e.schema_version, e.payload, e.tags";

    private readonly SqliteDatabase _database;
    private readonly EventSerializer _serializer;
    private readonly ILogger _logger;
    private readonly StoreHealth _health;
    private readonly StartupRetry _startup;
    private readonly GroupCommitQueue _queue;
    private WriterConnection? _writer;
    private volatile bool _disposed;

    /// <summary>Creates the journal; call <see cref="StartAsync"/> before writing.</summary>
    public SqliteEventJournal(SqliteJournalSettings settings, EventSerializer serializer, ILogger logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _database = new SqliteDatabase(settings.ConnectionString);
        _serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _health = new StoreHealth("SQLite journal", _database.Connection, logger);
        _startup = new StartupRetry("SQLite journal", _health, settings.StartupBackoff, logger, timeProvider ?? throw new ArgumentNullException(nameof(timeProvider)));
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
            throw new JournalUnavailableException("The SQLite journal has not started yet.");
        write.EnsureWellFormed();
        var payloads = write.Events.Select(e => _serializer.Serialize(e.Payload)).ToArray();
        return _queue.EnqueueAsync(new PendingWrite(write, payloads), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT highest_sequence_nr FROM journal_metadata WHERE persistence_id = $pid";
        command.Parameters.AddWithValue("$pid", persistenceId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long highest ? highest : 0;
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
                $"SELECT {EventColumns} FROM event_journal e WHERE e.persistence_id = $pid AND e.sequence_nr >= $from AND e.sequence_nr <= $to ORDER BY e.sequence_nr LIMIT $limit",
                c =>
                {
                    c.Parameters.AddWithValue("$pid", persistenceId);
                    c.Parameters.AddWithValue("$from", next);
                    c.Parameters.AddWithValue("$to", toSequenceNr);
                    c.Parameters.AddWithValue("$limit", limit);
                },
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
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var transaction = connection.BeginTransaction(deferred: false);
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                DELETE FROM event_tag WHERE (tag, ordering) IN (
                    SELECT t.value, e.ordering FROM event_journal e, json_each(e.tags) t
                    WHERE e.persistence_id = $pid AND e.sequence_nr <= $to AND e.tags IS NOT NULL);
                DELETE FROM event_journal WHERE persistence_id = $pid AND sequence_nr <= $to;
                """;
            command.Parameters.AddWithValue("$pid", persistenceId);
            command.Parameters.AddWithValue("$to", toSequenceNr);
            command.ExecuteNonQuery();
            transaction.Commit();
        }
        catch (SqliteException e)
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
                $"SELECT {EventColumns} FROM event_tag t JOIN event_journal e ON e.ordering = t.ordering WHERE t.tag = $tag AND t.ordering > $after ORDER BY t.ordering LIMIT {PageSize}",
                c =>
                {
                    c.Parameters.AddWithValue("$tag", tag);
                    c.Parameters.AddWithValue("$after", after);
                },
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
                $"SELECT {EventColumns} FROM event_journal e WHERE e.ordering > $after ORDER BY e.ordering LIMIT {PageSize}",
                c => c.Parameters.AddWithValue("$after", after),
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
            await using (var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false))
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = $"""
                    SELECT m.persistence_id FROM journal_metadata m
                    WHERE m.persistence_id > $after AND EXISTS (SELECT 1 FROM event_journal e WHERE e.persistence_id = m.persistence_id)
                    ORDER BY m.persistence_id LIMIT {PageSize}
                    """;
                command.Parameters.AddWithValue("$after", after);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (reader.Read())
                    page.Add(reader.GetString(0));
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
        _writer?.Dispose();
        _writer = null;
        _database.ReleasePooledConnections();
    }

    /// <summary>Commits one group-commit batch; runs only on the queue's loop, which owns <see cref="_writer"/>.</summary>
    private async Task CommitBatchAsync(IReadOnlyList<PendingWrite> batch)
    {
        var outcomes = new JournalRejectedException?[batch.Count];
        try
        {
            _writer ??= new WriterConnection(await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false));
            using (var transaction = _writer.Connection.BeginTransaction(deferred: false))
            {
                _writer.Enlist(transaction);
                for (var i = 0; i < batch.Count; i++)
                    outcomes[i] = WriteInSavepoint(transaction, batch[i]);
                transaction.Commit();
            }
        }
        catch (Exception e)
        {
            _writer?.Dispose();
            _writer = null;
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

    private JournalRejectedException? WriteInSavepoint(SqliteTransaction transaction, PendingWrite pending)
    {
        var write = pending.Write;
        transaction.Save("w");
        try
        {
            var (highest, token) = _writer!.ReadMetadata(write.PersistenceId);
            if (AtomicWriteChecks.RejectionFor(write, highest, token) is { } rejection)
            {
                transaction.Rollback("w");
                transaction.Release("w");
                return rejection;
            }

            for (var i = 0; i < write.Events.Count; i++)
                _writer.InsertEvent(write.Events[i], pending.Payloads[i]);
            _writer.UpsertMetadata(write.PersistenceId, write.HighestSequenceNr, AtomicWriteChecks.NewestFencingToken(write, token));
            transaction.Release("w");
            return null;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19) // SQLITE_CONSTRAINT: this write only
        {
            transaction.Rollback("w");
            transaction.Release("w");
            return e.SqliteExtendedErrorCode == 2067 // SQLITE_CONSTRAINT_UNIQUE on (persistence_id, sequence_nr)
                ? new SequenceConflictException(write.PersistenceId, write.LowestSequenceNr)
                : new JournalRejectedException($"SQLite refused the write to '{write.PersistenceId}': {e.Message}", e);
        }
    }

    private void NotifyWritten()
    {
        try
        {
            Written?.Invoke();
        }
        catch (Exception e)
        {
            _logger.LogError(e, "A Written subscriber of the SQLite journal threw");
        }
    }

    private async Task<List<EventEnvelope>> ReadPageAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        var page = new List<EventEnvelope>();
        await using var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (reader.Read())
        {
            var persistenceId = reader.GetString(1);
            var sequenceNr = reader.GetInt64(2);
            var payload = new SerializedPayload(reader.GetString(4), reader.GetInt32(5), (byte[])reader.GetValue(6));
            page.Add(new EventEnvelope(
                reader.GetInt64(0),
                persistenceId,
                sequenceNr,
                _serializer.Deserialize(payload, persistenceId, sequenceNr),
                reader.IsDBNull(7) ? [] : JsonSerializer.Deserialize<string[]>(reader.GetString(7)) ?? [],
                new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero)));
        }

        return page;
    }

    private async Task<SqliteConnection> OpenReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e)
        {
            throw Unavailable("open a connection", e);
        }
    }

    private JournalUnavailableException Unavailable(string operation, Exception e) =>
        new($"The SQLite journal could not {operation} ({_database.Connection.Explain(e)}); the outcome is unknown.", e);

    /// <summary>The writer loop's connection and its prepared statements, reused across batches.</summary>
    private sealed class WriterConnection : IDisposable
    {
        private readonly SqliteCommand _readMetadata;
        private readonly SqliteCommand _insertEvent;
        private readonly SqliteCommand _insertTag;
        private readonly SqliteCommand _upsertMetadata;

        public WriterConnection(SqliteConnection connection)
        {
            Connection = connection;
            _readMetadata = Command("SELECT highest_sequence_nr, fencing_token FROM journal_metadata WHERE persistence_id = $pid", "$pid");
            _insertEvent = Command(
                "INSERT INTO event_journal (persistence_id, sequence_nr, written_at, manifest, schema_version, payload, tags) VALUES ($pid, $seq, $at, $manifest, $version, $payload, $tags) RETURNING ordering",
                "$pid", "$seq", "$at", "$manifest", "$version", "$payload", "$tags");
            _insertTag = Command("INSERT INTO event_tag (tag, ordering) VALUES ($tag, $ordering)", "$tag", "$ordering");
            _upsertMetadata = Command(
                "INSERT INTO journal_metadata (persistence_id, highest_sequence_nr, fencing_token) VALUES ($pid, $highest, $token) " +
                "ON CONFLICT (persistence_id) DO UPDATE SET highest_sequence_nr = excluded.highest_sequence_nr, fencing_token = excluded.fencing_token",
                "$pid", "$highest", "$token");
        }

        public SqliteConnection Connection { get; }

        public void Enlist(SqliteTransaction transaction)
        {
            _readMetadata.Transaction = transaction;
            _insertEvent.Transaction = transaction;
            _insertTag.Transaction = transaction;
            _upsertMetadata.Transaction = transaction;
        }

        public (long Highest, long? Token) ReadMetadata(string persistenceId)
        {
            _readMetadata.Parameters["$pid"].Value = persistenceId;
            using var reader = _readMetadata.ExecuteReader();
            return reader.Read() ? (reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1)) : (0, null);
        }

        public void InsertEvent(PersistentEvent e, SerializedPayload payload)
        {
            var tags = e.Tags.Count == 0 ? null : e.Tags.Distinct().ToArray();
            _insertEvent.Parameters["$pid"].Value = e.PersistenceId;
            _insertEvent.Parameters["$seq"].Value = e.SequenceNr;
            _insertEvent.Parameters["$at"].Value = e.Timestamp.UtcTicks;
            _insertEvent.Parameters["$manifest"].Value = payload.Manifest;
            _insertEvent.Parameters["$version"].Value = payload.Version;
            _insertEvent.Parameters["$payload"].Value = payload.Json;
            _insertEvent.Parameters["$tags"].Value = tags is null ? DBNull.Value : JsonSerializer.Serialize(tags);
            var ordering = (long)_insertEvent.ExecuteScalar()!;
            if (tags is null)
                return;
            foreach (var tag in tags)
            {
                _insertTag.Parameters["$tag"].Value = tag;
                _insertTag.Parameters["$ordering"].Value = ordering;
                _insertTag.ExecuteNonQuery();
            }
        }

        public void UpsertMetadata(string persistenceId, long highest, long? token)
        {
            _upsertMetadata.Parameters["$pid"].Value = persistenceId;
            _upsertMetadata.Parameters["$highest"].Value = highest;
            _upsertMetadata.Parameters["$token"].Value = token is { } t ? t : DBNull.Value;
            _upsertMetadata.ExecuteNonQuery();
        }

        public void Dispose()
        {
            _readMetadata.Dispose();
            _insertEvent.Dispose();
            _insertTag.Dispose();
            _upsertMetadata.Dispose();
            Connection.Dispose();
        }

        private SqliteCommand Command(string sql, params string[] parameters)
        {
            var command = Connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            return command;
        }
    }
}
