using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.Serialization;
using Autopilot.Actors.Persistence.Snapshots;
using Xunit;

namespace Autopilot.Actors.Persistence.TCK;

/// <summary>The snapshot store contract, including recovery from a snapshot plus the journal's tail.</summary>
public abstract class SnapshotStoreSpec : PersistenceSpec
{
    [Fact]
    public async Task Load_returns_null_when_there_is_no_snapshot()
    {
        var store = await OpenSnapshotStoreAsync();
        Assert.Null(await store.LoadAsync(NewPersistenceId("none"), SnapshotSelectionCriteria.Latest));
    }

    [Fact]
    public async Task Load_latest_returns_the_newest_snapshot_with_its_metadata()
    {
        var store = await OpenSnapshotStoreAsync();
        var pid = NewPersistenceId("latest");
        await SaveAsync(store, pid, 10);
        await SaveAsync(store, pid, 30);
        await SaveAsync(store, pid, 20);

        var loaded = await store.LoadAsync(pid, SnapshotSelectionCriteria.Latest);

        Assert.NotNull(loaded);
        Assert.Equal(new SnapshotMetadata(pid, 30, BaseTime.AddMilliseconds(30)), loaded.Metadata);
        Assert.Equal(new TckCounterState(30, 300), loaded.Snapshot);
        Assert.Null(await store.LoadAsync(pid, SnapshotSelectionCriteria.None));
    }

    [Fact]
    public async Task Load_honours_the_sequence_nr_and_timestamp_criteria()
    {
        var store = await OpenSnapshotStoreAsync();
        var pid = NewPersistenceId("criteria");
        foreach (var seq in new[] { 10, 20, 30 })
            await SaveAsync(store, pid, seq);

        Assert.Equal(20, (await store.LoadAsync(pid, new SnapshotSelectionCriteria(25, DateTimeOffset.MaxValue)))?.Metadata.SequenceNr);
        Assert.Equal(10, (await store.LoadAsync(pid, new SnapshotSelectionCriteria(long.MaxValue, BaseTime.AddMilliseconds(15))))?.Metadata.SequenceNr);
        Assert.Null(await store.LoadAsync(pid, new SnapshotSelectionCriteria(9, DateTimeOffset.MaxValue)));
    }

    [Fact]
    public async Task Saving_at_the_same_sequence_nr_replaces_the_snapshot()
    {
        var store = await OpenSnapshotStoreAsync();
        var pid = NewPersistenceId("replace");
        await SaveAsync(store, pid, 5);
        await store.SaveAsync(new SnapshotMetadata(pid, 5, BaseTime.AddMilliseconds(6)), new TckCounterState(5, 999));

        var loaded = await store.LoadAsync(pid, SnapshotSelectionCriteria.Latest);
        Assert.Equal(new TckCounterState(5, 999), loaded?.Snapshot);
        Assert.Equal(BaseTime.AddMilliseconds(6), loaded?.Metadata.Timestamp);
    }

    [Fact]
    public async Task Delete_removes_exactly_the_matching_snapshots()
    {
        var store = await OpenSnapshotStoreAsync();
        var pid = NewPersistenceId("delete");
        var other = NewPersistenceId("delete-other");
        foreach (var seq in new[] { 10, 20, 30 })
            await SaveAsync(store, pid, seq);
        await SaveAsync(store, other, 10);

        await store.DeleteAsync(pid, new SnapshotSelectionCriteria(20, DateTimeOffset.MaxValue));
        Assert.Equal(30, (await store.LoadAsync(pid, SnapshotSelectionCriteria.Latest))?.Metadata.SequenceNr);
        Assert.Null(await store.LoadAsync(pid, new SnapshotSelectionCriteria(29, DateTimeOffset.MaxValue)));

        await store.DeleteAsync(pid, SnapshotSelectionCriteria.Latest);
        Assert.Null(await store.LoadAsync(pid, SnapshotSelectionCriteria.Latest));
        Assert.NotNull(await store.LoadAsync(other, SnapshotSelectionCriteria.Latest));
    }

    [Fact]
    public async Task Snapshots_survive_reopening_the_store()
    {
        var pid = NewPersistenceId("durable");
        var first = await OpenSnapshotStoreAsync();
        await SaveAsync(first, pid, 7);
        await first.DisposeAsync();

        var reopened = await OpenSnapshotStoreAsync();
        Assert.Equal(new TckCounterState(7, 70), (await reopened.LoadAsync(pid, SnapshotSelectionCriteria.Latest))?.Snapshot);
    }

    [Fact]
    public async Task An_unregistered_snapshot_type_is_rejected_and_nothing_is_stored()
    {
        var store = await OpenSnapshotStoreAsync();
        var pid = NewPersistenceId("unregistered");
        await Assert.ThrowsAsync<EventSerializationException>(() => store.SaveAsync(new SnapshotMetadata(pid, 1, BaseTime), new TckUnregistered("x")));
        Assert.Null(await store.LoadAsync(pid, SnapshotSelectionCriteria.Latest));
    }

    [Fact]
    public async Task Recovery_from_a_snapshot_plus_the_journal_tail_equals_a_full_replay()
    {
        var journal = await OpenJournalAsync();
        var store = await OpenSnapshotStoreAsync();
        var pid = NewPersistenceId("recovery");
        var state = new TckCounterState(0, 0);
        for (var seq = 1; seq <= 12; seq++)
        {
            var note = new TckNote($"n{seq}", seq * 3);
            await journal.WriteAsync(new AtomicWrite(pid, [new PersistentEvent(pid, seq, note, [], BaseTime.AddMilliseconds(seq))]));
            state = state.Apply(note);
            if (seq == 8)
                await store.SaveAsync(new SnapshotMetadata(pid, seq, BaseTime.AddMilliseconds(seq)), state);
        }

        var reopenedJournal = await OpenJournalAsync();
        var reopenedStore = await OpenSnapshotStoreAsync();
        var snapshot = await reopenedStore.LoadAsync(pid, SnapshotSelectionCriteria.Latest);
        Assert.NotNull(snapshot);
        var recovered = (TckCounterState)snapshot.Snapshot;
        var tail = await ToListAsync(reopenedJournal.ReplayAsync(pid, snapshot.Metadata.SequenceNr + 1, long.MaxValue));
        Assert.Equal([9L, 10, 11, 12], tail.Select(e => e.SequenceNr));
        recovered = tail.Aggregate(recovered, (s, e) => s.Apply((TckNote)e.Event));

        var fromScratch = (await ReplayAllAsync(reopenedJournal, pid)).Aggregate(new TckCounterState(0, 0), (s, e) => s.Apply((TckNote)e.Event));
        Assert.Equal(state, recovered);
        Assert.Equal(state, fromScratch);
    }

    private static Task SaveAsync(ISnapshotStore store, string pid, long seq) =>
        store.SaveAsync(new SnapshotMetadata(pid, seq, BaseTime.AddMilliseconds(seq)), new TckCounterState(seq, seq * 10));
}
