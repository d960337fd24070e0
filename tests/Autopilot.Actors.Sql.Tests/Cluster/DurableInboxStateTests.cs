using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Actors.Sql.Cluster;

namespace Autopilot.Actors.Sql.Tests.Cluster;

/// <summary>
/// What waiting nodes and resuming leaders read from the inbox: an entry's recorded outcome, and the entries a token
/// claimed but did not complete.
/// </summary>
[Collection(ClusterPostgresCollection.Name)]
public sealed class DurableInboxStateTests(ThrowawayPostgres server)
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task An_entrys_state_goes_from_waiting_to_claimed_to_done_with_the_outcome_its_handler_recorded()
    {
        var db = await server.CreateDatabaseAsync("inbox_state");
        await using var node = await TestNode.StartAsync(db, "leader");
        var inbox = new DurableInbox(node.Database, "orchestrator");
        var entry = await inbox.EnqueueAsync(Command("c1"), CancellationToken.None);

        Assert.Null(await inbox.GetStateAsync(entry.EntryId + 1000, CancellationToken.None));
        Assert.Equal(new InboxEntryState(entry.EntryId, false, null, 0), await inbox.GetStateAsync(entry.EntryId, CancellationToken.None));

        var token = await AcquireAsync(node);
        await inbox.ClaimAsync(token, 10, CancellationToken.None);
        Assert.Equal(new InboxEntryState(entry.EntryId, false, null, 1), await inbox.GetStateAsync(entry.EntryId, CancellationToken.None));

        await inbox.CompleteAsync(entry.EntryId, token, """{"accepted":true,"message":"paused"}""", CancellationToken.None);
        Assert.Equal(new InboxEntryState(entry.EntryId, true, """{"accepted":true,"message":"paused"}""", 1),
            await inbox.GetStateAsync(entry.EntryId, CancellationToken.None));
    }

    [Fact]
    public async Task A_holder_reads_back_in_order_what_it_claimed_and_did_not_complete_but_not_what_another_token_claimed()
    {
        var db = await server.CreateDatabaseAsync("inbox_claimed");
        await using var node = await TestNode.StartAsync(db, "leader");
        var inbox = new DurableInbox(node.Database, "orchestrator");
        var ids = new List<long>();
        for (var i = 1; i <= 4; i++)
            ids.Add((await inbox.EnqueueAsync(Command($"c{i}"), CancellationToken.None)).EntryId);
        var lease = node.Lease("orchestrator", Long);
        var oldGrant = (await lease.TryAcquireAsync("leader", node.Membership.Incarnation, CancellationToken.None))!;
        await inbox.ClaimAsync(oldGrant.Token, 1, CancellationToken.None);
        await lease.ReleaseAsync(oldGrant, CancellationToken.None);
        var token = (await lease.TryAcquireAsync("leader", node.Membership.Incarnation, CancellationToken.None))!.Token;

        var claimed = await inbox.ClaimAsync(token, 3, CancellationToken.None);
        await inbox.CompleteAsync(claimed[0].Id, token, "done", CancellationToken.None);

        Assert.Equal(ids.Take(3), claimed.Select(e => e.Id));
        Assert.Equal(ids.Skip(1).Take(2), (await inbox.GetClaimedAsync(token, 10, CancellationToken.None)).Select(e => e.Id));
        Assert.Equal([ids[1]], (await inbox.GetClaimedAsync(token, 1, CancellationToken.None)).Select(e => e.Id));
        Assert.Empty(await inbox.GetClaimedAsync(oldGrant.Token, 10, CancellationToken.None));
        Assert.Equal([ids[3]], (await inbox.ClaimAsync(token, 10, CancellationToken.None)).Select(e => e.Id));
    }

    private static InboxMessage Command(string id) => new("command", "pause", id, """{"by":"ops"}""");

    private static async Task<long> AcquireAsync(TestNode node)
    {
        var grant = await node.Lease("orchestrator", Long).TryAcquireAsync(node.Membership.NodeId, node.Membership.Incarnation, CancellationToken.None);
        return grant!.Token;
    }
}
