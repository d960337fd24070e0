namespace Autopilot.Actors.Sql.Tests.InMemory;

public sealed class InMemoryJournalSpec() : JournalSuite(new InMemoryStoreUnderTest());

public sealed class InMemorySnapshotStoreSpec() : SnapshotStoreSuite(new InMemoryStoreUnderTest());

public sealed class InMemoryQuerySpec() : PersistenceQuerySuite(new InMemoryStoreUnderTest());
