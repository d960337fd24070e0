using Autopilot.Actors.Persistence.TCK.Postgres;

namespace Autopilot.Actors.Sql.Tests.Postgres;

// Each test gets a fresh database on the shared throwaway server.

[Collection(PostgresCollection.Name)]
public sealed class PostgresJournalSpec(ThrowawayPostgres server) : JournalSuite(new PostgresStoreUnderTest(server, nameof(PostgresJournalSpec)));

[Collection(PostgresCollection.Name)]
public sealed class PostgresSnapshotStoreSpec(ThrowawayPostgres server) : SnapshotStoreSuite(new PostgresStoreUnderTest(server, nameof(PostgresSnapshotStoreSpec)));

[Collection(PostgresCollection.Name)]
public sealed class PostgresQuerySpec(ThrowawayPostgres server) : PersistenceQuerySuite(new PostgresStoreUnderTest(server, nameof(PostgresQuerySpec)));
