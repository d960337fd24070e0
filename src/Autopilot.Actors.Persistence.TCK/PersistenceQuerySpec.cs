using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.Query;
using Xunit;

namespace Autopilot.Actors.Persistence.TCK;

/// <summary>
/// The query side over a back end: current queries, and live tails that see new events (from this journal
/// instance at once, from another instance by polling) without skipping or repeating any.
/// </summary>
public abstract class PersistenceQuerySpec : PersistenceSpec
{
    /// <summary>Generous deadline for live queries to catch up; reaching it fails the test (no timing threshold is asserted).</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_live_tag_tail_delivers_every_event_of_concurrent_writers_once_in_offset_order()
    {
        var journal = await OpenJournalAsync();
        var query = new PersistenceQuery(journal, TimeSpan.FromMilliseconds(200));
        var tag = NewPersistenceId("live-tag");
        var writers = Enumerable.Range(0, 6).Select(w => NewPersistenceId($"live{w}")).ToArray();
        using var deadline = new CancellationTokenSource(Deadline);

        var received = new List<EventEnvelope>();
        var tail = Task.Run(async () =>
        {
            await foreach (var envelope in query.EventsByTag(tag, 0, deadline.Token))
            {
                received.Add(envelope);
                if (received.Count == 6 * 20)
                    return;
            }
        });
        await Task.WhenAll(writers.Select(pid => Task.Run(async () =>
        {
            for (var seq = 1; seq <= 20; seq++)
                await journal.WriteAsync(new AtomicWrite(pid, [Note(pid, seq, tags: tag)]));
        })));
        await tail;

        var stored = await ToListAsync(journal.CurrentEventsByTagAsync(tag, 0));
        Assert.Equal(stored.Select(e => (e.Offset, e.PersistenceId, e.SequenceNr)), received.Select(e => (e.Offset, e.PersistenceId, e.SequenceNr)));
    }

    [Fact]
    public async Task Live_tails_on_two_instances_see_every_event_of_sixteen_concurrent_writers_once_in_offset_order()
    {
        var nodes = new[] { await OpenJournalAsync(), await OpenJournalAsync() };
        var tag = NewPersistenceId("busy-tag");
        var writers = Enumerable.Range(0, 16).Select(w => NewPersistenceId($"busy{w}")).ToArray();
        const int WritesPerWriter = 30;
        var expected = writers.Length * Enumerable.Range(0, WritesPerWriter).Sum(EventsOfWrite);
        var start = (await ToListAsync(nodes[0].CurrentAllEventsAsync(0))).LastOrDefault()?.Offset ?? 0;
        using var deadline = new CancellationTokenSource(Deadline);

        var tails = nodes.Select(node => new PersistenceQuery(node, TimeSpan.FromMilliseconds(50)))
            .SelectMany(query => new[]
            {
                TailAsync(query.EventsByTag(tag, 0, deadline.Token), expected),
                TailAsync(query.AllEvents(start, deadline.Token), expected),
            })
            .ToArray();
        await Task.WhenAll(writers.Select((pid, w) => Task.Run(async () =>
        {
            var next = 1L;
            for (var i = 0; i < WritesPerWriter; i++)
            {
                var count = EventsOfWrite(i);
                await nodes[w % 2].WriteAsync(Notes(pid, next, count, tags: tag));
                next += count;
            }
        })));

        var stored = (await ToListAsync(nodes[0].CurrentEventsByTagAsync(tag, 0))).Select(e => (e.Offset, e.PersistenceId, e.SequenceNr)).ToList();
        Assert.Equal(expected, stored.Count);
        Assert.Equal(stored.Count, stored.Distinct().Count());
        Assert.True(stored.Zip(stored.Skip(1)).All(p => p.First.Offset < p.Second.Offset), "stored offsets strictly increase");
        foreach (var tail in tails)
            Assert.Equal(stored, (await tail).Select(e => (e.Offset, e.PersistenceId, e.SequenceNr)));

        // One to three events per write, so batches mix atomic writes of different sizes.
        static int EventsOfWrite(int i) => 1 + (i % 3);
    }

    [Fact]
    public async Task A_live_tail_sees_writes_of_another_journal_instance_by_polling()
    {
        var reading = await OpenJournalAsync();
        var writing = await OpenJournalAsync();
        var query = new PersistenceQuery(reading, TimeSpan.FromMilliseconds(50));
        var pid = NewPersistenceId("other-process");
        using var deadline = new CancellationTokenSource(Deadline);

        var tail = ToListAsync(query.EventsByPersistenceId(pid, 1, 5, deadline.Token));
        await writing.WriteAsync(Notes(pid, 1, 2));
        await writing.WriteAsync(Notes(pid, 3, 3));

        Assert.Equal([1L, 2, 3, 4, 5], (await tail).Select(e => e.SequenceNr));
    }

    [Fact]
    public async Task Events_by_persistence_id_replays_then_follows_until_the_upper_bound()
    {
        var journal = await OpenJournalAsync();
        var query = new PersistenceQuery(journal, TimeSpan.FromMilliseconds(200));
        var pid = NewPersistenceId("by-id");
        await journal.WriteAsync(Notes(pid, 1, 3));
        using var deadline = new CancellationTokenSource(Deadline);

        var live = ToListAsync(query.EventsByPersistenceId(pid, 2, 6, deadline.Token));
        await journal.WriteAsync(Notes(pid, 4, 4));

        Assert.Equal([2L, 3, 4, 5, 6], (await live).Select(e => e.SequenceNr));
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], (await ToListAsync(query.CurrentEventsByPersistenceId(pid))).Select(e => e.SequenceNr));
    }

    [Fact]
    public async Task Live_all_events_and_persistence_ids_see_new_streams()
    {
        var journal = await OpenJournalAsync();
        var query = new PersistenceQuery(journal, TimeSpan.FromMilliseconds(200));
        var existing = await ToListAsync(query.CurrentAllEvents());
        var start = existing.Count == 0 ? 0 : existing[^1].Offset;
        var a = NewPersistenceId("ids-a");
        var b = NewPersistenceId("ids-b");
        using var deadline = new CancellationTokenSource(Deadline);

        var ids = Task.Run(async () =>
        {
            var seen = new List<string>();
            await foreach (var id in query.PersistenceIds(deadline.Token))
            {
                if (id == a || id == b)
                    seen.Add(id);
                if (seen.Count == 2)
                    return seen;
            }

            return seen;
        });
        var all = Task.Run(async () =>
        {
            var seen = new List<(string, long)>();
            await foreach (var e in query.AllEvents(start, deadline.Token))
            {
                seen.Add((e.PersistenceId, e.SequenceNr));
                if (seen.Count == 3)
                    return seen;
            }

            return seen;
        });

        await journal.WriteAsync(Notes(a, 1, 2));
        await journal.WriteAsync(Notes(b, 1, 1));

        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), (await ids).Order(StringComparer.Ordinal));
        Assert.Equal([(a, 1L), (a, 2L), (b, 1L)], await all);
    }

    [Fact]
    public async Task Cancelling_a_live_query_ends_it()
    {
        var journal = await OpenJournalAsync();
        var query = new PersistenceQuery(journal, TimeSpan.FromMilliseconds(100));
        using var cancel = new CancellationTokenSource();
        var tail = ToListAsync(query.EventsByTag(NewPersistenceId("quiet"), 0, cancel.Token));

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tail);
    }

    /// <summary>Collects a live query until it has delivered <paramref name="count"/> events.</summary>
    private static Task<List<EventEnvelope>> TailAsync(IAsyncEnumerable<EventEnvelope> live, int count) => Task.Run(async () =>
    {
        var received = new List<EventEnvelope>();
        await foreach (var envelope in live)
        {
            received.Add(envelope);
            if (received.Count == count)
                break;
        }

        return received;
    });
}
