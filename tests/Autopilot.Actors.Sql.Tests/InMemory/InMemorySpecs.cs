using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.Serialization;
using Autopilot.Actors.Persistence.Snapshots;
using Autopilot.Actors.Persistence.TCK;

namespace Autopilot.Actors.Sql.Tests.InMemory;

// The in-memory back end keeps its data in storage objects that outlive a journal instance, so "reopening" works.

public sealed class InMemoryJournalSpec : JournalSpec
{
    private readonly InMemoryJournalStorage _journal = new();
    private readonly InMemorySnapshotStorage _snapshots = new();

    protected override IEventJournal CreateJournal(EventSerializer serializer) => new InMemoryEventJournal(serializer, _journal);

    protected override ISnapshotStore CreateSnapshotStore(EventSerializer serializer) => new InMemorySnapshotStore(serializer, _snapshots);
}

public sealed class InMemorySnapshotStoreSpec : SnapshotStoreSpec
{
    private readonly InMemoryJournalStorage _journal = new();
    private readonly InMemorySnapshotStorage _snapshots = new();

    protected override IEventJournal CreateJournal(EventSerializer serializer) => new InMemoryEventJournal(serializer, _journal);

    protected override ISnapshotStore CreateSnapshotStore(EventSerializer serializer) => new InMemorySnapshotStore(serializer, _snapshots);
}

public sealed class InMemoryQuerySpec : PersistenceQuerySpec
{
    private readonly InMemoryJournalStorage _journal = new();
    private readonly InMemorySnapshotStorage _snapshots = new();

    protected override IEventJournal CreateJournal(EventSerializer serializer) => new InMemoryEventJournal(serializer, _journal);

    protected override ISnapshotStore CreateSnapshotStore(EventSerializer serializer) => new InMemorySnapshotStore(serializer, _snapshots);
}
