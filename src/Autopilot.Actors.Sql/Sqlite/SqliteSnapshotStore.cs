using Autopilot.Actors.Sql.Database;
using Autopilot.Actors.Sql.Snapshots;
using Microsoft.Data.Sqlite;

namespace Autopilot.Actors.Sql.Sqlite;

/// <summary>
/// Snapshots in the same SQLite file as the journal (table <c>snapshot_store</c>), with the journal's durability
/// (synchronous=NORMAL: survives a crash of the process). Each save is its own transaction rather than going through
/// the journal's group commit; SQLite's busy timeout lets it wait for the journal's writer.
/// </summary>
public sealed class SqliteSnapshotStore : SqlSnapshotStore
{
    /// <summary>Creates the store; call <see cref="SqlSnapshotStore.StartAsync"/> before use.</summary>
    public SqliteSnapshotStore(SqliteJournalSettings settings, EventSerializer serializer, ILogger logger, TimeProvider timeProvider)
        : base("SQLite snapshot store", new SqliteDatabase(settings), settings, serializer, logger, timeProvider)
    {
    }

    /// <summary>Timestamps are stored as UTC ticks.</summary>
    private protected override SqlQuery SaveQuery(SnapshotMetadata metadata, SerializedPayload payload) =>
        new("""
            INSERT INTO snapshot_store (persistence_id, sequence_nr, created_at, manifest, schema_version, payload)
            VALUES ($pid, $seq, $at, $manifest, $version, $payload)
            ON CONFLICT (persistence_id, sequence_nr) DO UPDATE SET
                created_at = excluded.created_at, manifest = excluded.manifest, schema_version = excluded.schema_version, payload = excluded.payload
            """,
            [
                new SqliteParameter("$pid", metadata.PersistenceId),
                new SqliteParameter("$seq", metadata.SequenceNr),
                new SqliteParameter("$at", metadata.Timestamp.UtcTicks),
                new SqliteParameter("$manifest", payload.Manifest),
                new SqliteParameter("$version", payload.Version),
                new SqliteParameter("$payload", payload.Json),
            ]);

    private protected override SqlQuery LatestQuery(string persistenceId, SnapshotSelectionCriteria criteria) =>
        new("""
            SELECT sequence_nr, created_at, manifest, schema_version, payload FROM snapshot_store
            WHERE persistence_id = $pid AND sequence_nr <= $maxSeq AND created_at <= $maxAt
            ORDER BY sequence_nr DESC LIMIT 1
            """, CriteriaParameters(persistenceId, criteria));

    private protected override SqlQuery DeleteQuery(string persistenceId, SnapshotSelectionCriteria criteria) =>
        new("DELETE FROM snapshot_store WHERE persistence_id = $pid AND sequence_nr <= $maxSeq AND created_at <= $maxAt", CriteriaParameters(persistenceId, criteria));

    private protected override DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal) => new(reader.GetInt64(ordinal), TimeSpan.Zero);

    private static SqliteParameter[] CriteriaParameters(string persistenceId, SnapshotSelectionCriteria criteria) =>
    [
        new SqliteParameter("$pid", persistenceId),
        new SqliteParameter("$maxSeq", criteria.MaxSequenceNr),
        new SqliteParameter("$maxAt", criteria.MaxTimestamp.UtcTicks),
    ];
}
