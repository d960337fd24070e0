using System.Text.Json;
using Autopilot.Actors.Sql.Database;
using Autopilot.Actors.Sql.GroupCommit;
using Autopilot.Actors.Sql.Journal;
using Microsoft.Data.Sqlite;

namespace Autopilot.Actors.Sql.Sqlite;

/// <summary>
/// A journal in one SQLite file (WAL, synchronous=FULL): durable on acknowledgement, for single-node deployments.
/// </summary>
/// <remarks>
/// Writes go through a group commit: a single writer connection commits whatever is queued in one transaction
/// (one fsync), each atomic write inside its own savepoint so a rejected write fails alone. The journal-wide fence is
/// read at the start of each such transaction, which holds SQLite's write lock, so a raise (another write) commits
/// either before it and is seen, or after it. Offsets come from an
/// AUTOINCREMENT key assigned under SQLite's single write lock, so they grow in commit order and a live tag query
/// never skips an event. Reads use other (pooled) connections; start-up, the group-commit queue and paging are
/// <see cref="SqlEventJournal"/>'s.
/// </remarks>
public sealed class SqliteEventJournal : SqlEventJournal
{
    private readonly SqliteDatabase _database;
    private WriterConnection? _writer;

    /// <summary>Creates the journal; call <see cref="SqlEventJournal.StartAsync"/> before writing.</summary>
    public SqliteEventJournal(SqliteJournalSettings settings, EventSerializer serializer, ILogger logger, TimeProvider timeProvider)
        : this(new SqliteDatabase(settings), settings, serializer, logger, timeProvider)
    {
    }

    private SqliteEventJournal(SqliteDatabase database, SqliteJournalSettings settings, EventSerializer serializer, ILogger logger, TimeProvider timeProvider)
        : base("SQLite journal", database, settings, serializer, logger, timeProvider)
    {
        _database = database;
    }

    private protected override SqlQuery HighestSequenceNrQuery(string persistenceId) =>
        new("SELECT highest_sequence_nr FROM journal_metadata WHERE persistence_id = $pid", [new SqliteParameter("$pid", persistenceId)]);

    private protected override SqlQuery StreamPageQuery(string persistenceId, long from, long to, int limit) =>
        new($"SELECT {EventColumns} FROM event_journal e WHERE e.persistence_id = $pid AND e.sequence_nr >= $from AND e.sequence_nr <= $to ORDER BY e.sequence_nr LIMIT $limit",
            [new SqliteParameter("$pid", persistenceId), new SqliteParameter("$from", from), new SqliteParameter("$to", to), new SqliteParameter("$limit", limit)]);

    private protected override SqlQuery TagPageQuery(string tag, long afterOffset) =>
        new($"SELECT {EventColumns} FROM event_tag t JOIN event_journal e ON e.ordering = t.ordering WHERE t.tag = $tag AND t.ordering > $after ORDER BY t.ordering LIMIT {PageSize}",
            [new SqliteParameter("$tag", tag), new SqliteParameter("$after", afterOffset)]);

    private protected override SqlQuery AllEventsPageQuery(long afterOffset) =>
        new($"SELECT {EventColumns} FROM event_journal e WHERE e.ordering > $after ORDER BY e.ordering LIMIT {PageSize}", [new SqliteParameter("$after", afterOffset)]);

    private protected override SqlQuery PersistenceIdPageQuery(string after) =>
        new($"""
            SELECT m.persistence_id FROM journal_metadata m
            WHERE m.persistence_id > $after AND EXISTS (SELECT 1 FROM event_journal e WHERE e.persistence_id = m.persistence_id)
            ORDER BY m.persistence_id LIMIT {PageSize}
            """, [new SqliteParameter("$after", after)]);

    private protected override SqlQuery RaiseFenceQuery(long token) =>
        new("UPDATE journal_fence SET token = max(coalesce(token, $token), $token) WHERE id = 1", [new SqliteParameter("$token", token)]);

    private protected override async Task DeleteEventsAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken)
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

    private protected override async Task<JournalRejectedException?[]> CommitAsync(IReadOnlyList<PendingWrite> batch)
    {
        var outcomes = new JournalRejectedException?[batch.Count];
        _writer ??= new WriterConnection(await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false));
        using var transaction = _writer.Connection.BeginTransaction(deferred: false);
        _writer.Enlist(transaction);
        var fence = _writer.ReadFence();
        for (var i = 0; i < batch.Count; i++)
            outcomes[i] = WriteInSavepoint(transaction, batch[i], fence);
        transaction.Commit();
        return outcomes;
    }

    private protected override ValueTask CloseWriterAsync()
    {
        _writer?.Dispose();
        _writer = null;
        return ValueTask.CompletedTask;
    }

    /// <summary>Any failure of a whole SQLite transaction (I/O error, full disk, lock timeout) means the file cannot be written.</summary>
    private protected override bool MeansUnreachable(Exception commitFailure) => true;

    /// <summary>Tags are a JSON array, NULL when the event has none.</summary>
    private protected override IReadOnlyList<string> ReadTags(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? [] : JsonSerializer.Deserialize<string[]>(reader.GetString(ordinal)) ?? [];

    /// <summary>Timestamps are UTC ticks.</summary>
    private protected override DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal) => new(reader.GetInt64(ordinal), TimeSpan.Zero);

    private JournalRejectedException? WriteInSavepoint(SqliteTransaction transaction, PendingWrite pending, long? fence)
    {
        var write = pending.Write;
        transaction.Save("w");
        try
        {
            var (highest, token) = _writer!.ReadMetadata(write.PersistenceId);
            if (AtomicWriteChecks.RejectionFor(write, highest, token, fence) is { } rejection)
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

    /// <summary>The writer loop's connection and its prepared statements, reused across batches.</summary>
    private sealed class WriterConnection : IDisposable
    {
        private readonly SqliteCommand _readFence;
        private readonly SqliteCommand _readMetadata;
        private readonly SqliteCommand _insertEvent;
        private readonly SqliteCommand _insertTag;
        private readonly SqliteCommand _upsertMetadata;

        public WriterConnection(SqliteConnection connection)
        {
            Connection = connection;
            _readFence = Command("SELECT token FROM journal_fence WHERE id = 1");
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
            _readFence.Transaction = transaction;
            _readMetadata.Transaction = transaction;
            _insertEvent.Transaction = transaction;
            _insertTag.Transaction = transaction;
            _upsertMetadata.Transaction = transaction;
        }

        public long? ReadFence() => _readFence.ExecuteScalar() is long token ? token : null;

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
            _readFence.Dispose();
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
