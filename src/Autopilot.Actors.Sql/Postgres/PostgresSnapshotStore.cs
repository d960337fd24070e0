using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.Serialization;
using Autopilot.Actors.Persistence.Snapshots;
using Autopilot.Actors.Sql.Connectivity;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Autopilot.Actors.Sql.Postgres;

/// <summary>
/// Snapshots in PostgreSQL (table <c>snapshot_store</c>, same database as the journal). Each save is its own
/// transaction, durable on return (<c>synchronous_commit = on</c>).
/// </summary>
public sealed class PostgresSnapshotStore : ISnapshotStore
{
    private readonly PostgresDatabase _database;
    private readonly EventSerializer _serializer;
    private readonly StartupRetry _startup;

    /// <summary>Creates the store; call <see cref="StartAsync"/> before use.</summary>
    public PostgresSnapshotStore(PostgresJournalSettings settings, EventSerializer serializer, ILogger logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _database = new PostgresDatabase(settings.ConnectionString);
        _serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        var health = new StoreHealth("PostgreSQL snapshot store", _database.Connection, logger);
        _startup = new StartupRetry("PostgreSQL snapshot store", health, settings.StartupBackoff, logger, timeProvider);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => _startup.RunAsync(_database.EnsureSchemaAsync, cancellationToken);

    /// <inheritdoc />
    public async Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var payload = _serializer.Serialize(snapshot);
        await ExecuteAsync("save a snapshot", """
            INSERT INTO snapshot_store (persistence_id, sequence_nr, created_at, manifest, schema_version, payload)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (persistence_id, sequence_nr) DO UPDATE SET
                created_at = EXCLUDED.created_at, manifest = EXCLUDED.manifest, schema_version = EXCLUDED.schema_version, payload = EXCLUDED.payload
            """,
            [
                new NpgsqlParameter<string> { TypedValue = metadata.PersistenceId },
                new NpgsqlParameter<long> { TypedValue = metadata.SequenceNr },
                new NpgsqlParameter<DateTime> { TypedValue = metadata.Timestamp.UtcDateTime },
                new NpgsqlParameter<string> { TypedValue = payload.Manifest },
                new NpgsqlParameter<int> { TypedValue = payload.Version },
                new NpgsqlParameter<byte[]> { TypedValue = payload.Json },
            ],
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        SnapshotMetadata metadata;
        SerializedPayload payload;
        try
        {
            await using var connection = await _database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("""
                SELECT sequence_nr, created_at, manifest, schema_version, payload FROM snapshot_store
                WHERE persistence_id = $1 AND sequence_nr <= $2 AND created_at <= $3
                ORDER BY sequence_nr DESC LIMIT 1
                """, connection);
            command.Parameters.AddRange(CriteriaParameters(persistenceId, criteria));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                return null;
            metadata = new SnapshotMetadata(persistenceId, reader.GetInt64(0), new DateTimeOffset(reader.GetFieldValue<DateTime>(1)));
            payload = new SerializedPayload(reader.GetString(2), reader.GetInt32(3), reader.GetFieldValue<byte[]>(4));
        }
        catch (NpgsqlException e)
        {
            throw Unavailable("load a snapshot", e);
        }

        return new SelectedSnapshot(metadata, _serializer.Deserialize(payload, persistenceId, metadata.SequenceNr));
    }

    /// <inheritdoc />
    public Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        return ExecuteAsync("delete snapshots",
            "DELETE FROM snapshot_store WHERE persistence_id = $1 AND sequence_nr <= $2 AND created_at <= $3",
            CriteriaParameters(persistenceId, criteria),
            cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    /// <summary>
    /// DateTimeOffset.MaxValue/MinValue become PostgreSQL's +/-infinity, so "latest" and "none" compare as expected.
    /// </summary>
    private static NpgsqlParameter[] CriteriaParameters(string persistenceId, SnapshotSelectionCriteria criteria) =>
    [
        new NpgsqlParameter<string> { TypedValue = persistenceId },
        new NpgsqlParameter<long> { TypedValue = criteria.MaxSequenceNr },
        new NpgsqlParameter<DateTime> { TypedValue = criteria.MaxTimestamp.UtcDateTime },
    ];

    private async Task ExecuteAsync(string operation, string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await _database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddRange(parameters);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw Unavailable(operation, e);
        }
    }

    private JournalUnavailableException Unavailable(string operation, Exception e) =>
        new($"The PostgreSQL snapshot store could not {operation} ({_database.Connection.Explain(e)}).", e);
}
