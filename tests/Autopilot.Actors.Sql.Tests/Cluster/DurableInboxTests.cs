using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Actors.Sql.Cluster;
using Autopilot.Actors.Sql.Tests.Support;

namespace Autopilot.Actors.Sql.Tests.Cluster;

/// <summary>The inbox: idempotent enqueue, ordered claims fenced by the lease token, exactly-once completion across a fail-over.</summary>
[Collection(ClusterPostgresCollection.Name)]
public sealed class DurableInboxTests(ThrowawayPostgres server)
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Enqueueing_the_same_delivery_twice_or_concurrently_stores_it_once_and_returns_the_existing_entry()
    {
        var db = await server.CreateDatabaseAsync("inbox_dedupe");
        await using var node = await TestNode.StartAsync(db, "web");
        var inbox = new DurableInbox(node.Database, "orchestrator");

        var first = await inbox.EnqueueAsync(Push("delivery-1", 1), CancellationToken.None);
        var again = await inbox.EnqueueAsync(Push("delivery-1", 99), CancellationToken.None);
        var otherSource = await inbox.EnqueueAsync(Push("delivery-1", 1) with { Source = "railway" }, CancellationToken.None);
        var racing = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => inbox.EnqueueAsync(Push("delivery-2", 2), CancellationToken.None))));

        Assert.False(first.Duplicate);
        Assert.Equal(new InboxEnqueueResult(first.EntryId, true), again);
        Assert.False(otherSource.Duplicate);
        Assert.NotEqual(first.EntryId, otherSource.EntryId);
        Assert.Single(racing, r => !r.Duplicate);
        Assert.Single(racing.Select(r => r.EntryId).Distinct());
        Assert.Equal(3, await inbox.CountPendingAsync(CancellationToken.None));

        var token = await AcquireAsync(node);
        var entries = await inbox.ClaimAsync(token, 10, CancellationToken.None);
        Assert.Equal(1, entries.Single(e => e.Id == first.EntryId).Payload.GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task Entries_are_claimed_in_order_never_twice_by_the_same_token_and_completed_exactly_once()
    {
        var db = await server.CreateDatabaseAsync("inbox_order");
        await using var node = await TestNode.StartAsync(db, "leader");
        var inbox = new DurableInbox(node.Database, "orchestrator");
        var ids = new List<long>();
        for (var i = 1; i <= 5; i++)
            ids.Add((await inbox.EnqueueAsync(Push($"d{i}", i), CancellationToken.None)).EntryId);
        var token = await AcquireAsync(node);

        var batch1 = await inbox.ClaimAsync(token, 3, CancellationToken.None);
        var batch2 = await inbox.ClaimAsync(token, 3, CancellationToken.None);
        var batch3 = await inbox.ClaimAsync(token, 3, CancellationToken.None);

        Assert.Equal(ids.Take(3), batch1.Select(e => e.Id));
        Assert.Equal([1, 2, 3], batch1.Select(e => e.Payload.GetProperty("n").GetInt32()));
        Assert.Equal(("github", "push", "d1", 1), (batch1[0].Source, batch1[0].Kind, batch1[0].DedupeKey, batch1[0].Attempts));
        Assert.Equal(ids.Skip(3), batch2.Select(e => e.Id));
        Assert.Empty(batch3);

        foreach (var id in ids)
            Assert.True(await inbox.CompleteAsync(id, token, "handled", CancellationToken.None));
        Assert.False(await inbox.CompleteAsync(ids[0], token, "handled again", CancellationToken.None));
        Assert.Equal(0, await inbox.CountPendingAsync(CancellationToken.None));

        var unclaimed = await inbox.EnqueueAsync(Push("d6", 6), CancellationToken.None);
        await Assert.ThrowsAsync<InvalidOperationException>(() => inbox.CompleteAsync(unclaimed.EntryId, token, null, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => inbox.CompleteAsync(123456, token, null, CancellationToken.None));
    }

    [Fact]
    public async Task A_claim_or_completion_with_a_stale_or_expired_token_is_refused()
    {
        var db = await server.CreateDatabaseAsync("inbox_stale");
        await using var oldLeader = await TestNode.StartAsync(db, "old-leader");
        await using var newLeader = await TestNode.StartAsync(db, "new-leader");
        var inbox = new DurableInbox(oldLeader.Database, "orchestrator");
        var entry = await inbox.EnqueueAsync(Push("d1", 1), CancellationToken.None);

        var never = await Assert.ThrowsAsync<StaleLeaseTokenException>(() => inbox.ClaimAsync(1, 10, CancellationToken.None));
        Assert.Null(never.CurrentToken);

        var oldGrant = (await oldLeader.Lease("orchestrator", Long).TryAcquireAsync("old-leader", oldLeader.Membership.Incarnation, CancellationToken.None))!;
        Assert.Single(await inbox.ClaimAsync(oldGrant.Token, 10, CancellationToken.None));
        await oldLeader.Lease("orchestrator").ReleaseAsync(oldGrant, CancellationToken.None);

        var expired = await Assert.ThrowsAsync<StaleLeaseTokenException>(() => inbox.CompleteAsync(entry.EntryId, oldGrant.Token, null, CancellationToken.None));
        Assert.Equal(oldGrant.Token, expired.CurrentToken);

        var newGrant = (await newLeader.Lease("orchestrator", Long).TryAcquireAsync("new-leader", newLeader.Membership.Incarnation, CancellationToken.None))!;
        var stale = await Assert.ThrowsAsync<StaleLeaseTokenException>(() => inbox.ClaimAsync(oldGrant.Token, 10, CancellationToken.None));
        Assert.Equal((oldGrant.Token, newGrant.Token), (stale.PresentedToken, stale.CurrentToken));
        await Assert.ThrowsAsync<StaleLeaseTokenException>(() => inbox.CompleteAsync(entry.EntryId, oldGrant.Token, null, CancellationToken.None));
        Assert.Equal(1, await inbox.CountPendingAsync(CancellationToken.None));
    }

    [Fact]
    public async Task After_a_fail_over_the_new_leader_gets_exactly_the_entries_the_old_one_left_undone_and_each_is_completed_once()
    {
        var db = await server.CreateDatabaseAsync("inbox_failover");
        await using var first = await TestNode.StartAsync(db, "first", TestNode.FastFailureDetection);
        await using var second = await TestNode.StartAsync(db, "second", TestNode.FastFailureDetection);
        var firstInbox = new DurableInbox(first.Database, "orchestrator");
        var secondInbox = new DurableInbox(second.Database, "orchestrator");
        var ids = new List<long>();
        for (var i = 1; i <= 4; i++)
            ids.Add((await firstInbox.EnqueueAsync(Push($"d{i}", i), CancellationToken.None)).EntryId);
        var firstKeeper = first.StartKeeper("orchestrator");
        await Eventually.TrueAsync(() => firstKeeper.HeldToken is not null, "first leads");
        var firstToken = firstKeeper.HeldToken!.Value;
        var secondKeeper = second.StartKeeper("orchestrator");

        var claimedByFirst = await firstInbox.ClaimAsync(firstToken, 3, CancellationToken.None);
        Assert.True(await firstInbox.CompleteAsync(claimedByFirst[0].Id, firstToken, "done by first", CancellationToken.None));
        // The first leader dies mid-batch; webhooks keep arriving at the second node.
        await first.Membership.DisposeAsync();
        ids.Add((await secondInbox.EnqueueAsync(Push("d5", 5), CancellationToken.None)).EntryId);
        await Eventually.TrueAsync(() => secondKeeper.HeldToken is not null, "second takes over");
        var secondToken = secondKeeper.HeldToken!.Value;

        var claimedBySecond = await secondInbox.ClaimAsync(secondToken, 10, CancellationToken.None);

        Assert.Equal(ids.Skip(1), claimedBySecond.Select(e => e.Id));
        Assert.Equal([2, 2, 1, 1], claimedBySecond.Select(e => e.Attempts));
        await Assert.ThrowsAsync<StaleLeaseTokenException>(() => firstInbox.CompleteAsync(claimedByFirst[1].Id, firstToken, "too late", CancellationToken.None));
        foreach (var entry in claimedBySecond)
            Assert.True(await secondInbox.CompleteAsync(entry.Id, secondToken, "done by second", CancellationToken.None));
        Assert.Empty(await secondInbox.ClaimAsync(secondToken, 10, CancellationToken.None));
        Assert.Equal(0, await secondInbox.CountPendingAsync(CancellationToken.None));
    }

    [Fact]
    public async Task The_holder_prunes_entries_done_longer_ago_than_the_retention_oldest_first_and_never_unfinished_ones()
    {
        var db = await server.CreateDatabaseAsync("inbox_prune");
        await using var node = await TestNode.StartAsync(db, "leader");
        var inbox = new DurableInbox(node.Database, "orchestrator");
        var first = await inbox.EnqueueAsync(Push("d1", 1), CancellationToken.None);
        var second = await inbox.EnqueueAsync(Push("d2", 2), CancellationToken.None);
        var claimedOnly = await inbox.EnqueueAsync(Push("d3", 3), CancellationToken.None);
        var token = await AcquireAsync(node);
        Assert.Equal(3, (await inbox.ClaimAsync(token, 10, CancellationToken.None)).Count);
        var pending = await inbox.EnqueueAsync(Push("d4", 4), CancellationToken.None);
        Assert.True(await inbox.CompleteAsync(first.EntryId, token, "handled", CancellationToken.None));
        Assert.True(await inbox.CompleteAsync(second.EntryId, token, "handled", CancellationToken.None));

        Assert.Equal(0, await inbox.PruneAsync(token, TimeSpan.FromHours(1), 100, CancellationToken.None)); // done too recently
        Assert.Equal(1, await inbox.PruneAsync(token, TimeSpan.Zero, 1, CancellationToken.None));
        Assert.Null(await inbox.GetStateAsync(first.EntryId, CancellationToken.None)); // the one completed first went first
        Assert.NotNull(await inbox.GetStateAsync(second.EntryId, CancellationToken.None));
        Assert.Equal(1, await inbox.PruneAsync(token, TimeSpan.Zero, 100, CancellationToken.None));
        Assert.Equal(0, await inbox.PruneAsync(token, TimeSpan.Zero, 100, CancellationToken.None));

        Assert.NotNull(await inbox.GetStateAsync(claimedOnly.EntryId, CancellationToken.None));
        Assert.NotNull(await inbox.GetStateAsync(pending.EntryId, CancellationToken.None));
        Assert.Equal(2, await inbox.CountPendingAsync(CancellationToken.None));
        Assert.False((await inbox.EnqueueAsync(Push("d1", 1), CancellationToken.None)).Duplicate); // de-duplicated only while kept
        await Assert.ThrowsAsync<StaleLeaseTokenException>(() => inbox.PruneAsync(token + 1, TimeSpan.Zero, 100, CancellationToken.None));
    }

    [Fact]
    public async Task Malformed_messages_are_refused_with_a_clear_error_and_nothing_is_stored()
    {
        var db = await server.CreateDatabaseAsync("inbox_invalid");
        await using var node = await TestNode.StartAsync(db, "web");
        var inbox = new DurableInbox(node.Database, "orchestrator");

        var notJson = await Assert.ThrowsAsync<ArgumentException>(() => inbox.EnqueueAsync(new InboxMessage("github", "push", "d1", "{not json"), CancellationToken.None));
        Assert.Contains("not valid JSON", notJson.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => inbox.EnqueueAsync(new InboxMessage("github", "push", " ", "{}"), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => inbox.ClaimAsync(1, 0, CancellationToken.None));
        Assert.Equal(0, await inbox.CountPendingAsync(CancellationToken.None));
    }

    private static InboxMessage Push(string delivery, int n) => new("github", "push", delivery, $$"""{"n": {{n}}, "ref": "refs/heads/main"}""");

    private static async Task<long> AcquireAsync(TestNode node)
    {
        var grant = await node.Lease("orchestrator", Long).TryAcquireAsync(node.Membership.NodeId, node.Membership.Incarnation, CancellationToken.None);
        return grant!.Token;
    }
}
