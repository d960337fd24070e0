using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.Serialization;
using Autopilot.Actors.Persistence.Snapshots;
using Autopilot.Actors.Sql.Connectivity;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Autopilot.Actors.Sql.Sqlite;

/// <summary>
/// Snapshots in the same SQLite file as the journal (table <c>snapshot_store</c>), written durably
/// (synchronous=FULL). Snapshots are rare, so each save is its own transaction rather than going through the group
/// commit; SQLite's busy timeout lets it wait for the journal's writer.
/// </summary>
public sealed class SqliteSnapshotStore : ISnapshotStore
{
    private readonly SqliteDatabase _database;
    private readonly EventSerializer _serializer;
    private readonly StartupRetry _startup;

    /// <summary>Creates the store; call <see cref="StartAsync"/> before use.</summary>
    public SqliteSnapshotStore(SqliteJournalSettings settings, EventSerializer serializer, ILogger logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _database = new SqliteDatabase(settings.ConnectionString);
        _serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        var health = new StoreHealth("SQLite snapshot store", _database.Connection, logger);
        _startup = new StartupRetry("SQLite snapshot store", health, settings.StartupBackoff, logger, timeProvider);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => _startup.RunAsync(_database.EnsureSchemaAsync, cancellationToken);

    /// <inheritdoc />
    public async Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var payload = _serializer.Serialize(snapshot);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO snapshot_store (persistence_id, sequence_nr, created_at, manifest, schema_version, payload)
            VALUES ($pid, $seq, $at, $manifest, $version, $payload)
            ON CONFLICT (persistence_id, sequence_nr) DO UPDATE SET
                created_at = excluded.created_at, manifest = excluded.manifest, schema_version = excluded.schema_version, payload = excluded.payload
            """;
        command.Parameters.AddWithValue("$pid", metadata.PersistenceId);
        command.Parameters.AddWithValue("$seq", metadata.SequenceNr);
        command.Parameters.AddWithValue("$at", metadata.Timestamp.UtcTicks);
        command.Parameters.AddWithValue("$manifest", payload.Manifest);
        command.Parameters.AddWithValue("$version", payload.Version);
        command.Parameters.AddWithValue("$payload", payload.Json);
        await ExecuteAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT sequence_nr, created_at, manifest, schema_version, payload FROM snapshot_store
            WHERE persistence_id = $pid AND sequence_nr <= $maxSeq AND created_at <= $maxAt
            ORDER BY sequence_nr DESC LIMIT 1
            """;
        BindCriteria(command, persistenceId, criteria);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!reader.Read())
            return null;
        var metadata = new SnapshotMetadata(persistenceId, reader.GetInt64(0), new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero));
        var payload = new SerializedPayload(reader.GetString(2), reader.GetInt32(3), (byte[])reader.GetValue(4));
        return new SelectedSnapshot(metadata, _serializer.Deserialize(payload, persistenceId, metadata.SequenceNr));
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM snapshot_store WHERE persistence_id = $pid AND sequence_nr <= $maxSeq AND created_at <= $maxAt";
        BindCriteria(command, persistenceId, criteria);
        await ExecuteAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _database.ReleasePooledConnections();
        return ValueTask.CompletedTask;
    }

    private static void BindCriteria(SqliteCommand command, string persistenceId, SnapshotSelectionCriteria criteria)
    {
        command.Parameters.AddWithValue("$pid", persistenceId);
        command.Parameters.AddWithValue("$maxSeq", criteria.MaxSequenceNr);
        command.Parameters.AddWithValue("$maxAt", criteria.MaxTimestamp.UtcTicks);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e)
        {
            throw new JournalUnavailableException($"The SQLite snapshot store could not open a connection ({_database.Connection.Explain(e)}).", e);
        }
    }

    private async Task ExecuteAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e)
        {
            throw new JournalUnavailableException($"The SQLite snapshot store could not write ({_database.Connection.Explain(e)}).", e);
        }
    }
}
