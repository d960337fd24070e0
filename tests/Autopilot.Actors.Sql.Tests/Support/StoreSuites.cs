namespace Autopilot.Actors.Sql.Tests.Support;

// The TCK suites run over an IStoreUnderTest: a back end's test class is then one line per suite. xunit creates a
// test class per test, so each test gets the fresh store its class passes in.

/// <summary>The TCK's journal suite over <paramref name="store"/>.</summary>
public abstract class JournalSuite(IStoreUnderTest store) : JournalSpec
{
    protected override Task PrepareStoreAsync() => store.PrepareAsync();

    protected override IEventJournal CreateJournal(EventSerializer serializer) => store.CreateJournal(serializer);

    protected override ISnapshotStore CreateSnapshotStore(EventSerializer serializer) => store.CreateSnapshotStore(serializer);

    protected override async Task CleanupStoreAsync() => await store.DisposeAsync();
}

/// <summary>The TCK's snapshot store suite over <paramref name="store"/>.</summary>
public abstract class SnapshotStoreSuite(IStoreUnderTest store) : SnapshotStoreSpec
{
    protected override Task PrepareStoreAsync() => store.PrepareAsync();

    protected override IEventJournal CreateJournal(EventSerializer serializer) => store.CreateJournal(serializer);

    protected override ISnapshotStore CreateSnapshotStore(EventSerializer serializer) => store.CreateSnapshotStore(serializer);

    protected override async Task CleanupStoreAsync() => await store.DisposeAsync();
}

/// <summary>The TCK's persistence query suite over <paramref name="store"/>.</summary>
public abstract class PersistenceQuerySuite(IStoreUnderTest store) : PersistenceQuerySpec
{
    protected override Task PrepareStoreAsync() => store.PrepareAsync();

    protected override IEventJournal CreateJournal(EventSerializer serializer) => store.CreateJournal(serializer);

    protected override ISnapshotStore CreateSnapshotStore(EventSerializer serializer) => store.CreateSnapshotStore(serializer);

    protected override async Task CleanupStoreAsync() => await store.DisposeAsync();
}
