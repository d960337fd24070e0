namespace Autopilot.Actors.Sql.Tests.InMemory;

/// <summary>
/// The in-memory back end's storage objects: they outlive a journal instance, so "reopening" finds the data.
/// Nothing to create or remove.
/// </summary>
public sealed class InMemoryStoreUnderTest : IStoreUnderTest
{
    private readonly InMemoryJournalStorage _journal = new();
    private readonly InMemorySnapshotStorage _snapshots = new();

    public Task PrepareAsync() => Task.CompletedTask;

    public IEventJournal CreateJournal(EventSerializer serializer) => new InMemoryEventJournal(serializer, _journal);

    public ISnapshotStore CreateSnapshotStore(EventSerializer serializer) => new InMemorySnapshotStore(serializer, _snapshots);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
