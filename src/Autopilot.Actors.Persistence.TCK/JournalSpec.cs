using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.Serialization;
using Xunit;

namespace Autopilot.Actors.Persistence.TCK;

/// <summary>
/// The journal contract: what every <see cref="IEventJournal"/> must do. Derive, implement the factories, and the
/// back end is tested like all others.
/// </summary>
public abstract class JournalSpec : PersistenceSpec
{
    [Fact]
    public async Task Replay_returns_written_events_in_order_with_payload_tags_and_timestamp()
    {
        var journal = await OpenJournalAsync();
        var pid = NewPersistenceId("replay");
        await journal.WriteAsync(Notes(pid, 1, 3, tags: "green"));
        await journal.WriteAsync(new AtomicWrite(pid, [Note(pid, 4, "fourth", 40, "red", "blue")]));

        var events = await ReplayAllAsync(journal, pid);

        Assert.Equal([1L, 2, 3, 4], events.Select(e => e.SequenceNr));
        Assert.All(events, e => Assert.Equal(pid, e.PersistenceId));
        Assert.Equal(new TckNote("note 2", 2), events[1].Event);
        Assert.Equal(new TckNote("fourth", 40), events[3].Event);
        Assert.Equal(["green"], events[0].Tags);
        Assert.Equal(["blue", "red"], events[3].Tags.Order());
        Assert.Equal(BaseTime.AddMilliseconds(4), events[3].Timestamp);
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Offset < p.Second.Offset), "offsets grow with sequence numbers");
    }

    [Fact]
    public async Task Replay_honours_from_to_and_max()
    {
        var journal = await OpenJournalAsync();
        var pid = NewPersistenceId("range");
        await journal.WriteAsync(Notes(pid, 1, 10));

        Assert.Equal([3L, 4, 5, 6], (await ToListAsync(journal.ReplayAsync(pid, 3, 6))).Select(e => e.SequenceNr));
        Assert.Equal([5L, 6], (await ToListAsync(journal.ReplayAsync(pid, 5, long.MaxValue, max: 2))).Select(e => e.SequenceNr));
        Assert.Empty(await ToListAsync(journal.ReplayAsync(pid, 11, long.MaxValue)));
        Assert.Empty(await ToListAsync(journal.ReplayAsync(NewPersistenceId("unknown"), 1, long.MaxValue)));
    }

    [Fact]
    public async Task Highest_sequence_nr_is_zero_for_a_new_stream_and_follows_writes()
    {
        var journal = await OpenJournalAsync();
        var pid = NewPersistenceId("highest");
        Assert.Equal(0, await journal.ReadHighestSequenceNrAsync(pid));
        await journal.WriteAsync(Notes(pid, 1, 2));
        await journal.WriteAsync(Notes(pid, 3, 5));
        Assert.Equal(7, await journal.ReadHighestSequenceNrAsync(pid));
    }

    [Fact]
    public async Task Events_survive_reopening_the_journal()
    {
        var pid = NewPersistenceId("durable");
        var first = await OpenJournalAsync();
        await first.WriteAsync(Notes(pid, 1, 5));
        await first.DisposeAsync();

        var reopened = await OpenJournalAsync();
        Assert.Equal([1L, 2, 3, 4, 5], (await ReplayAllAsync(reopened, pid)).Select(e => e.SequenceNr));
        Assert.Equal(5, await reopened.ReadHighestSequenceNrAsync(pid));
        await reopened.WriteAsync(Notes(pid, 6, 1));
        Assert.Equal(6, await reopened.ReadHighestSequenceNrAsync(pid));
    }

    [Fact]
    public async Task A_write_that_would_leave_a_gap_is_rejected_and_stores_nothing()
    {
        var journal = await OpenJournalAsync();
        var pid = NewPersistenceId("gap");
        await journal.WriteAsync(Notes(pid, 1, 3));

        var error = await Assert.ThrowsAnyAsync<JournalRejectedException>(() => journal.WriteAsync(Notes(pid, 5, 2)));

        Assert.IsNotType<SequenceConflictException>(error);
        Assert.Equal(3, await journal.ReadHighestSequenceNrAsync(pid));
        await journal.WriteAsync(Notes(pid, 4, 1));
        Assert.Equal([1L, 2, 3, 4], (await ReplayAllAsync(journal, pid)).Select(e => e.SequenceNr));
    }

    [Fact]
    public async Task A_malformed_write_is_rejected()
    {
        var journal = await OpenJournalAsync();
        var pid = NewPersistenceId("malformed");
        await Assert.ThrowsAnyAsync<JournalRejectedException>(() => journal.WriteAsync(new AtomicWrite(pid, [Note(pid, 1), Note(pid, 3)])));
        await Assert.ThrowsAnyAsync<JournalRejectedException>(() => journal.WriteAsync(new AtomicWrite(pid, [Note(pid, 1), Note("other", 2)])));
        await Assert.ThrowsAnyAsync<JournalRejectedException>(() => journal.WriteAsync(new AtomicWrite(pid, [])));
        await Assert.ThrowsAnyAsync<JournalRejectedException>(() => journal.WriteAsync(new AtomicWrite(pid, [Note(pid, 0)])));
        Assert.Equal(0, await journal.ReadHighestSequenceNrAsync(pid));
    }

    [Fact]
    public async Task A_multi_event_write_that_conflicts_stores_none_of_its_events()
    {
        var journal = await OpenJournalAsync();
        var pid = NewPersistenceId("persist-all");
        await journal.WriteAsync(Notes(pid, 1, 3, "original"));

        var conflict = await Assert.ThrowsAsync<SequenceConflictException>(() => journal.WriteAsync(Notes(pid, 3, 3, "intruder")));

        Assert.Equal(pid, conflict.PersistenceId);
        Assert.Equal(3, conflict.SequenceNr);
        Assert.Equal(3, await journal.ReadHighestSequenceNrAsync(pid));
        Assert.All(await ReplayAllAsync(journal, pid), e => Assert.Equal("original", ((TckNote)e.Event).Text));
    }

    [Fact]
    public async Task Concurrent_writes_of_one_stream_are_stored_in_call_order_and_a_conflict_fails_only_its_own_call()
    {
        var journal = await OpenJournalAsync();
        var pid = NewPersistenceId("batched");
        // Issued without awaiting, so a group-commit journal takes them into one transaction: the middle write
        // conflicts with the first; the third continues after the first.
        var first = journal.WriteAsync(Notes(pid, 1, 3, "first"));
        var conflicting = journal.WriteAsync(Notes(pid, 3, 2, "conflicting"));
        var third = journal.WriteAsync(Notes(pid, 4, 2, "third"));

        await first;
        await Assert.ThrowsAsync<SequenceConflictException>(() => conflicting);
        await third;

        var events = await ReplayAllAsync(journal, pid);
        Assert.Equal([1L, 2, 3, 4, 5], events.Select(e => e.SequenceNr));
        Assert.Equal(["first", "first", "first", "third", "third"], events.Select(e => ((TckNote)e.Event).Text));
    }

    [Fact]
    public async Task Two_writers_for_one_persistence_id_the_later_call_is_rejected_while_other_streams_in_the_batch_succeed()
    {
        var journal = await OpenJournalAsync();
        var contested = NewPersistenceId("contested");
        var bystanders = Enumerable.Range(0, 20).Select(i => NewPersistenceId($"bystander{i}")).ToArray();

        var writes = new List<Task>();
        writes.AddRange(bystanders.Take(10).Select(b => journal.WriteAsync(Notes(b, 1, 2))));
        var winner = journal.WriteAsync(Notes(contested, 1, 1, "winner"));
        var loser = journal.WriteAsync(Notes(contested, 1, 1, "loser"));
        writes.AddRange(bystanders.Skip(10).Select(b => journal.WriteAsync(Notes(b, 1, 2))));

        await Task.WhenAll(writes);
        await winner;
        var conflict = await Assert.ThrowsAsync<SequenceConflictException>(() => loser);
        Assert.Equal(contested, conflict.PersistenceId);
        Assert.Equal(1, conflict.SequenceNr);

        Assert.Equal("winner", ((TckNote)Assert.Single(await ReplayAllAsync(journal, contested)).Event).Text);
        foreach (var bystander in bystanders)
            Assert.Equal(2, await journal.ReadHighestSequenceNrAsync(bystander));
    }

    [Fact]
    public async Task Many_queued_writes_of_one_stream_keep_their_order()
    {
        var journal = await OpenJournalAsync();
        var pid = NewPersistenceId("fifo");
        var writes = Enumerable.Range(1, 50).Select(seq => journal.WriteAsync(Notes(pid, seq, 1))).ToArray();
        await Task.WhenAll(writes);
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), (await ReplayAllAsync(journal, pid)).Select(e => e.SequenceNr));
    }

    [Fact]
    public async Task A_write_with_a_stale_fencing_token_is_rejected_and_stores_nothing()
    {
        var journal = await OpenJournalAsync();
        var pid = NewPersistenceId("fenced");
        await journal.WriteAsync(Notes(pid, 1, 1, fencingToken: 5));

        var stale = await Assert.ThrowsAsync<StaleFencingTokenException>(() => journal.WriteAsync(Notes(pid, 2, 2, fencingToken: 4)));
        Assert.Equal(pid, stale.PersistenceId);
        Assert.Equal(4, stale.Token);
        Assert.Equal(5, stale.Newest);
        Assert.Equal(1, await journal.ReadHighestSequenceNrAsync(pid));

        await journal.WriteAsync(Notes(pid, 2, 1, fencingToken: 5));
        await journal.WriteAsync(Notes(pid, 3, 1, fencingToken: 6));
        var older = await Assert.ThrowsAsync<StaleFencingTokenException>(() => journal.WriteAsync(Notes(pid, 4, 1, fencingToken: 5)));
        Assert.Equal(6, older.Newest);
        Assert.Equal([1L, 2, 3], (await ReplayAllAsync(journal, pid)).Select(e => e.SequenceNr));
    }

    [Fact]
    public async Task The_newest_fencing_token_survives_reopening_and_deletes()
    {
        var pid = NewPersistenceId("fenced-durable");
        var first = await OpenJournalAsync();
        await first.WriteAsync(Notes(pid, 1, 2, fencingToken: 7));
        await first.DeleteMessagesToAsync(pid, 2);
        await first.DisposeAsync();

        var reopened = await OpenJournalAsync();
        await Assert.ThrowsAsync<StaleFencingTokenException>(() => reopened.WriteAsync(Notes(pid, 3, 1, fencingToken: 6)));
        await reopened.WriteAsync(Notes(pid, 3, 1, fencingToken: 8));
        Assert.Equal(3, await reopened.ReadHighestSequenceNrAsync(pid));
    }

    [Fact]
    public async Task A_raised_fence_rejects_older_tokens_on_every_stream_including_streams_never_written()
    {
        var journal = await OpenJournalAsync();
        var outbox = NewPersistenceId("outbox");
        var fresh = NewPersistenceId("never-written");
        await journal.WriteAsync(Notes(outbox, 1, 1, fencingToken: 3));

        await journal.RaiseFenceAsync(5, CancellationToken.None);

        var onWritten = await Assert.ThrowsAsync<StaleFencingTokenException>(() => journal.WriteAsync(Notes(outbox, 2, 1, fencingToken: 4)));
        Assert.Equal((outbox, 4L, 5L), (onWritten.PersistenceId, onWritten.Token, onWritten.Newest));
        var onFresh = await Assert.ThrowsAsync<StaleFencingTokenException>(() => journal.WriteAsync(Notes(fresh, 1, 2, fencingToken: 3)));
        Assert.Equal((fresh, 3L, 5L), (onFresh.PersistenceId, onFresh.Token, onFresh.Newest));
        Assert.Equal(1, await journal.ReadHighestSequenceNrAsync(outbox));
        Assert.Equal(0, await journal.ReadHighestSequenceNrAsync(fresh));
        Assert.DoesNotContain(fresh, await ToListAsync(journal.CurrentPersistenceIdsAsync()));

        await journal.WriteAsync(Notes(fresh, 1, 1, fencingToken: 5));
        await journal.WriteAsync(Notes(outbox, 2, 1, fencingToken: 6));
        await journal.WriteAsync(Notes(outbox, 3, 1));
        Assert.Equal([1L, 2, 3], (await ReplayAllAsync(journal, outbox)).Select(e => e.SequenceNr));
        Assert.Equal([1L], (await ReplayAllAsync(journal, fresh)).Select(e => e.SequenceNr));
    }

    [Fact]
    public async Task Raising_the_fence_to_a_lower_token_leaves_it_where_it_is_and_the_per_stream_fence_still_applies()
    {
        var journal = await OpenJournalAsync();
        var pid = NewPersistenceId("fence-high");
        await journal.RaiseFenceAsync(9, CancellationToken.None);
        await journal.RaiseFenceAsync(4, CancellationToken.None);

        var stale = await Assert.ThrowsAsync<StaleFencingTokenException>(() => journal.WriteAsync(Notes(pid, 1, 1, fencingToken: 8)));
        Assert.Equal(9, stale.Newest);

        await journal.WriteAsync(Notes(pid, 1, 1, fencingToken: 12));
        var belowStream = await Assert.ThrowsAsync<StaleFencingTokenException>(() => journal.WriteAsync(Notes(pid, 2, 1, fencingToken: 10)));
        Assert.Equal(12, belowStream.Newest);
        Assert.Equal(1, await journal.ReadHighestSequenceNrAsync(pid));
    }

    [Fact]
    public async Task A_fence_raised_through_one_journal_fences_every_journal_over_the_store_and_survives_reopening()
    {
        var deposed = await OpenJournalAsync();
        var leader = await OpenJournalAsync();
        var pid = NewPersistenceId("fence-shared");
        await deposed.WriteAsync(Notes(pid, 1, 1, fencingToken: 1));

        await leader.RaiseFenceAsync(2, CancellationToken.None);

        await Assert.ThrowsAsync<StaleFencingTokenException>(() => deposed.WriteAsync(Notes(pid, 2, 1, fencingToken: 1)));
        await Assert.ThrowsAsync<StaleFencingTokenException>(() => deposed.WriteAsync(Notes(NewPersistenceId("fence-shared-new"), 1, 1, fencingToken: 1)));
        await leader.WriteAsync(Notes(pid, 2, 1, fencingToken: 2));
        await deposed.DisposeAsync();
        await leader.DisposeAsync();

        var reopened = await OpenJournalAsync();
        await Assert.ThrowsAsync<StaleFencingTokenException>(() => reopened.WriteAsync(Notes(NewPersistenceId("fence-reopened"), 1, 1, fencingToken: 1)));
        await reopened.WriteAsync(Notes(pid, 3, 1, fencingToken: 2));
        Assert.Equal([1L, 2, 3], (await ReplayAllAsync(reopened, pid)).Select(e => e.SequenceNr));
    }

    [Fact]
    public async Task Deleting_events_keeps_the_highest_sequence_nr_and_the_stream_continues()
    {
        var journal = await OpenJournalAsync();
        var pid = NewPersistenceId("delete");
        var tag = NewPersistenceId("delete-tag");
        await journal.WriteAsync(Notes(pid, 1, 5, tags: tag));

        await journal.DeleteMessagesToAsync(pid, 3);
        Assert.Equal([4L, 5], (await ReplayAllAsync(journal, pid)).Select(e => e.SequenceNr));
        Assert.Equal([4L, 5], (await ToListAsync(journal.CurrentEventsByTagAsync(tag, 0))).Select(e => e.SequenceNr));
        Assert.Equal(5, await journal.ReadHighestSequenceNrAsync(pid));

        await journal.DeleteMessagesToAsync(pid, long.MaxValue);
        Assert.Empty(await ReplayAllAsync(journal, pid));
        Assert.Equal(5, await journal.ReadHighestSequenceNrAsync(pid));
        Assert.DoesNotContain(pid, await ToListAsync(journal.CurrentPersistenceIdsAsync()));

        await Assert.ThrowsAsync<SequenceConflictException>(() => journal.WriteAsync(Notes(pid, 1, 1)));
        await journal.WriteAsync(Notes(pid, 6, 1));
        Assert.Equal([6L], (await ReplayAllAsync(journal, pid)).Select(e => e.SequenceNr));
    }

    [Fact]
    public async Task Events_by_tag_come_in_global_offset_order_across_many_concurrent_writers()
    {
        var journal = await OpenJournalAsync();
        var everything = NewPersistenceId("tag-all");
        var evens = NewPersistenceId("tag-even");
        var writers = Enumerable.Range(0, 8).Select(w => NewPersistenceId($"writer{w}")).ToArray();

        await Task.WhenAll(writers.Select(pid => Task.Run(async () =>
        {
            for (var seq = 1; seq <= 25; seq++)
                await journal.WriteAsync(new AtomicWrite(pid, [Note(pid, seq, tags: seq % 2 == 0 ? [everything, evens] : [everything])]));
        })));

        var all = await ToListAsync(journal.CurrentEventsByTagAsync(everything, 0));
        Assert.Equal(200, all.Count);
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Offset < p.Second.Offset), "strictly increasing offsets");
        foreach (var pid in writers)
            Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), all.Where(e => e.PersistenceId == pid).Select(e => e.SequenceNr));
        Assert.All(all, e => Assert.Contains(everything, e.Tags));

        var even = await ToListAsync(journal.CurrentEventsByTagAsync(evens, 0));
        Assert.Equal(all.Where(e => e.SequenceNr % 2 == 0).Select(e => e.Offset), even.Select(e => e.Offset));

        var resumed = await ToListAsync(journal.CurrentEventsByTagAsync(everything, all[99].Offset));
        Assert.Equal(all.Skip(100).Select(e => (e.PersistenceId, e.SequenceNr)), resumed.Select(e => (e.PersistenceId, e.SequenceNr)));
    }

    [Fact]
    public async Task All_events_and_persistence_ids_reflect_what_is_stored()
    {
        var journal = await OpenJournalAsync();
        var a = NewPersistenceId("all-a");
        var b = NewPersistenceId("all-b");
        var before = await ToListAsync(journal.CurrentAllEventsAsync(0));
        var start = before.Count == 0 ? 0 : before[^1].Offset;

        await journal.WriteAsync(Notes(a, 1, 2));
        await journal.WriteAsync(Notes(b, 1, 1));
        await journal.WriteAsync(Notes(a, 3, 1));

        var after = await ToListAsync(journal.CurrentAllEventsAsync(start));
        Assert.Equal([(a, 1L), (a, 2L), (b, 1L), (a, 3L)], after.Select(e => (e.PersistenceId, e.SequenceNr)));
        var ids = await ToListAsync(journal.CurrentPersistenceIdsAsync());
        Assert.Contains(a, ids);
        Assert.Contains(b, ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task Written_is_raised_after_a_write_is_stored()
    {
        var journal = await OpenJournalAsync();
        var pid = NewPersistenceId("written");
        var raised = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        journal.Written += () => raised.TrySetResult(journal.ReadHighestSequenceNrAsync(pid).GetAwaiter().GetResult());

        await journal.WriteAsync(Notes(pid, 1, 2));

        Assert.Equal(2, await raised.Task.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task An_unregistered_event_type_is_rejected_and_the_stream_carries_on()
    {
        var journal = await OpenJournalAsync();
        var pid = NewPersistenceId("unregistered");
        var write = new AtomicWrite(pid, [Note(pid, 1), new PersistentEvent(pid, 2, new TckUnregistered("x"), [], BaseTime)]);

        var error = await Assert.ThrowsAsync<EventSerializationException>(() => journal.WriteAsync(write));

        Assert.IsAssignableFrom<JournalRejectedException>(error);
        Assert.Contains(nameof(TckUnregistered), error.Message);
        Assert.Equal(0, await journal.ReadHighestSequenceNrAsync(pid));
        await journal.WriteAsync(Notes(pid, 1, 2));
        Assert.Equal(2, await journal.ReadHighestSequenceNrAsync(pid));
    }

    [Fact]
    public async Task Replaying_an_event_whose_manifest_is_unknown_names_the_manifest_and_position()
    {
        var pid = NewPersistenceId("unknown-manifest");
        var writer = await OpenJournalAsync(CreateSerializer().Register<TckSecret>("tck.secret"));
        await writer.WriteAsync(new AtomicWrite(pid, [Note(pid, 1), new PersistentEvent(pid, 2, new TckSecret("s3"), [], BaseTime)]));

        var reader = await OpenJournalAsync(CreateSerializer());
        var error = await Assert.ThrowsAsync<UnknownEventManifestException>(() => ReplayAllAsync(reader, pid));

        Assert.Equal("tck.secret", error.Manifest);
        Assert.Equal(pid, error.PersistenceId);
        Assert.Equal(2, error.SequenceNr);
        Assert.Contains("tck.secret", error.Message);
        Assert.Contains(pid, error.Message);
    }

    [Fact]
    public async Task Events_of_an_old_schema_version_replay_as_the_current_type_through_upcasters()
    {
        var pid = NewPersistenceId("upcast");
        var old = await OpenJournalAsync(CreateSerializer().Register<TckPriceV1>("tck.price", version: 1));
        await old.WriteAsync(new AtomicWrite(pid, [new PersistentEvent(pid, 1, new TckPriceV1(12.5m), [], BaseTime)]));
        await old.DisposeAsync();

        var current = await OpenJournalAsync(CreateUpcastingSerializer());
        await current.WriteAsync(new AtomicWrite(pid, [new PersistentEvent(pid, 2, new TckPrice(7m, "USD"), [], BaseTime)]));

        var events = await ReplayAllAsync(current, pid);
        Assert.Equal([new TckPrice(12.5m, "EUR"), new TckPrice(7m, "USD")], events.Select(e => e.Event));
    }
}
