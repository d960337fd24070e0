namespace Autopilot.Actors.Sql.Tests.Sqlite;

// Each test gets its own database file in a temporary directory.

public sealed class SqliteJournalSpec() : JournalSuite(new SqliteStoreUnderTest());

public sealed class SqliteSnapshotStoreSpec() : SnapshotStoreSuite(new SqliteStoreUnderTest());

public sealed class SqliteQuerySpec() : PersistenceQuerySuite(new SqliteStoreUnderTest());
