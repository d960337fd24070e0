using Autopilot.Actors.Sql.Database;
using Autopilot.Actors.Sql.Snapshots;
using Npgsql;

namespace Autopilot.Actors.Sql.Postgres;

/// <summary>
/// Snapshots in PostgreSQL (table <c>snapshot_store</c>, same database as the journal). Each save is its own
/// transaction, durable on return (<c>synchronous_commit = on</c>).
/// </summary>
public sealed class PostgresSnapshotStore : SqlSnapshotStore
{
    /// <summary>Creates the store; call <see cref="SqlSnapshotStore.StartAsync"/> before use.</summary>
    public PostgresSnapshotStore(PostgresJournalSettings settings, EventSerializer serializer, ILogger logger, TimeProvider timeProvider)
        : base("PostgreSQL snapshot store", new PostgresDatabase(settings), settings, serializer, logger, timeProvider)
    {
    }

    private protected override SqlQuery SaveQuery(SnapshotMetadata metadata, SerializedPayload payload) =>
        new("""
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
            ]);

    private protected override SqlQuery LatestQuery(string persistenceId, SnapshotSelectionCriteria criteria) =>
        new("""
            SELECT sequence_nr, created_at, manifest, schema_version, payload FROM snapshot_store
            WHERE persistence_id = $1 AND sequence_nr <= $2 AND created_at <= $3
            ORDER BY sequence_nr DESC LIMIT 1
            """, CriteriaParameters(persistenceId, criteria));

    private protected override SqlQuery DeleteQuery(string persistenceId, SnapshotSelectionCriteria criteria) =>
        new("DELETE FROM snapshot_store WHERE persistence_id = $1 AND sequence_nr <= $2 AND created_at <= $3", CriteriaParameters(persistenceId, criteria));

    private protected override DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal) => new(reader.GetFieldValue<DateTime>(ordinal));

    /// <summary>
    /// DateTimeOffset.MaxValue/MinValue become PostgreSQL's +/-infinity, so "latest" and "none" compare as expected.
    /// </summary>
    private static NpgsqlParameter[] CriteriaParameters(string persistenceId, SnapshotSelectionCriteria criteria) =>
    [
        new NpgsqlParameter<string> { TypedValue = persistenceId },
        new NpgsqlParameter<long> { TypedValue = criteria.MaxSequenceNr },
        new NpgsqlParameter<DateTime> { TypedValue = criteria.MaxTimestamp.UtcDateTime },
    ];
}
