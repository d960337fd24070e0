using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Actors.Sql.Cluster;
using Autopilot.Actors.Sql.Tests.Support;

namespace Autopilot.Actors.Sql.Tests.Cluster;

/// <summary>Every membership state change, as the node itself and the other nodes see it.</summary>
[Collection(ClusterPostgresCollection.Name)]
public sealed class ClusterMembershipTests(ThrowawayPostgres server)
{
    [Fact]
    public async Task A_joining_node_is_registered_with_its_details_and_moves_from_Joining_to_Up_and_others_see_it()
    {
        var db = await server.CreateDatabaseAsync("members_join");
        await using var a = await TestNode.StartAsync(db, "node-a");
        await using var b = await TestNode.StartAsync(db, "node-b");

        Assert.Equal([MemberStatus.Joining, MemberStatus.Up], a.StatusesOf("node-a"));
        await Eventually.TrueAsync(() => a.StatusesOf("node-b").LastOrDefault() == MemberStatus.Up, "a sees b Up");
        await Eventually.TrueAsync(() => b.StatusesOf("node-a").LastOrDefault() == MemberStatus.Up, "b sees a Up");

        var view = await a.Membership.GetViewAsync(CancellationToken.None);
        Assert.Equal(["node-a", "node-b"], view.Members.Select(m => m.NodeId));
        var memberB = view.Members[1];
        Assert.Equal(1, memberB.Incarnation);
        Assert.Equal("http://node-b.test:8080", memberB.Address);
        Assert.Equal(["webhooks", "orchestrator"], memberB.Roles);
        Assert.Equal("1.2.3-test", memberB.AppVersion);
        Assert.Equal(MemberStatus.Up, memberB.Status);
        Assert.True(memberB.HeartbeatAge >= TimeSpan.Zero);
        Assert.Empty(view.Leases);
    }

    [Fact]
    public async Task A_restarted_node_gets_a_higher_incarnation_and_the_old_incarnation_is_removed_and_stops()
    {
        var db = await server.CreateDatabaseAsync("members_incarnation");
        await using var observer = await TestNode.StartAsync(db, "observer");
        await using var first = await TestNode.StartAsync(db, "node-r");
        Assert.Equal(1, first.Membership.Incarnation);

        await using var second = await TestNode.StartAsync(db, "node-r");

        Assert.Equal(2, second.Membership.Incarnation);
        await Eventually.TrueAsync(() => first.MemberEvents.Any(e => e is MemberRemoved { Member.NodeId: "node-r", Member.Incarnation: 1 }), "the old incarnation learns it was superseded");
        await Eventually.TrueAsync(() => observer.MemberEvents.Any(e => e is MemberRemoved { Member.Incarnation: 1, Member.NodeId: "node-r" }), "the observer sees the old incarnation removed");
        await Eventually.TrueAsync(() => observer.MemberEvents.LastOrDefault(e => e.Member.NodeId == "node-r") is MemberUp { Member.Incarnation: 2 }, "the observer sees the new incarnation Up");
        var view = await observer.Membership.GetViewAsync(CancellationToken.None);
        Assert.Equal(MemberStatus.Up, view.Members.Single(m => m.NodeId == "node-r").Status);
    }

    [Fact]
    public async Task A_leaving_node_goes_Leaving_then_hands_over_then_Exiting_then_Removed_and_stops_heartbeating()
    {
        var db = await server.CreateDatabaseAsync("members_leave");
        await using var stay = await TestNode.StartAsync(db, "stay");
        await using var leave = await TestNode.StartAsync(db, "leave");
        MemberStatus? statusDuringHandover = null;

        await leave.Membership.LeaveAsync(async ct =>
        {
            var view = await stay.Membership.GetViewAsync(ct);
            statusDuringHandover = view.Members.Single(m => m.NodeId == "leave").Status;
        }, CancellationToken.None);

        Assert.Equal(MemberStatus.Leaving, statusDuringHandover);
        Assert.Equal([MemberStatus.Joining, MemberStatus.Up, MemberStatus.Leaving, MemberStatus.Exiting, MemberStatus.Removed], leave.StatusesOf("leave"));
        await Eventually.TrueAsync(() => stay.StatusesOf("leave").LastOrDefault() == MemberStatus.Removed, "the other node sees it removed");
        Assert.DoesNotContain(MemberStatus.Down, stay.StatusesOf("leave"));
        var removed = (await stay.Membership.GetViewAsync(CancellationToken.None)).Members.Single(m => m.NodeId == "leave");
        Assert.Equal(MemberStatus.Removed, removed.Status);
        await Assert.ThrowsAsync<InvalidOperationException>(() => leave.Membership.LeaveAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task A_node_that_stops_heartbeating_is_marked_Down_by_a_live_node_and_later_Removed()
    {
        var db = await server.CreateDatabaseAsync("members_failure");
        await using var alive = await TestNode.StartAsync(db, "alive", TestNode.FastFailureDetection);
        var crashed = await TestNode.StartAsync(db, "crashed", TestNode.FastFailureDetection);
        await Eventually.TrueAsync(() => alive.StatusesOf("crashed").LastOrDefault() == MemberStatus.Up, "alive sees crashed Up");

        await crashed.DisposeAsync();

        await Eventually.TrueAsync(() => alive.StatusesOf("crashed").LastOrDefault() == MemberStatus.Removed, "the silent node is removed");
        Assert.Equal([MemberStatus.Up, MemberStatus.Down, MemberStatus.Removed], alive.StatusesOf("crashed").SkipWhile(s => s == MemberStatus.Joining));
        var downed = alive.MemberEvents.OfType<MemberDowned>().Single(e => e.Member.NodeId == "crashed");
        Assert.StartsWith("failure detector", downed.Member.StatusReason);
        Assert.Equal(MemberStatus.Up, alive.Membership.Self?.Status);
    }

    [Fact]
    public async Task An_operator_can_down_a_live_node_which_learns_it_and_stops_and_downing_twice_or_an_unknown_node_is_reported()
    {
        var db = await server.CreateDatabaseAsync("members_operator_down");
        await using var operatorNode = await TestNode.StartAsync(db, "operator");
        await using var victim = await TestNode.StartAsync(db, "victim");

        Assert.True(await operatorNode.Membership.DownAsync("victim", "hung deploy", CancellationToken.None));

        await Eventually.TrueAsync(() => victim.Membership.Self?.Status == MemberStatus.Down, "the downed node learns it is Down");
        var selfDowned = victim.MemberEvents.OfType<MemberDowned>().Single(e => e.Member.NodeId == "victim");
        Assert.Equal("operator: hung deploy", selfDowned.Member.StatusReason);
        await Eventually.TrueAsync(() => operatorNode.StatusesOf("victim").LastOrDefault() == MemberStatus.Removed, "the downed node is removed");
        Assert.Contains(MemberStatus.Down, operatorNode.StatusesOf("victim"));
        Assert.False(await operatorNode.Membership.DownAsync("victim", "again", CancellationToken.None));
        var unknown = await Assert.ThrowsAsync<UnknownMemberException>(() => operatorNode.Membership.DownAsync("no-such-node", "typo", CancellationToken.None));
        Assert.Equal("no-such-node", unknown.NodeId);
        Assert.Equal(MemberStatus.Down, victim.Membership.Self?.Status);
    }

    [Fact]
    public async Task A_subscriber_first_gets_the_current_members_then_changes()
    {
        var db = await server.CreateDatabaseAsync("members_subscribe");
        await using var a = await TestNode.StartAsync(db, "a");
        await using var b = await TestNode.StartAsync(db, "b");
        await Eventually.TrueAsync(() => a.StatusesOf("b").LastOrDefault() == MemberStatus.Up, "a sees b Up");

        var seen = new System.Collections.Concurrent.ConcurrentQueue<MemberEvent>();
        using var subscription = a.Membership.Subscribe(seen.Enqueue);

        Assert.Equal(["a", "b"], seen.Select(e => e.Member.NodeId));
        Assert.All(seen, e => Assert.IsType<MemberUp>(e));
        await b.Membership.LeaveAsync(null, CancellationToken.None);
        await Eventually.TrueAsync(() => seen.LastOrDefault() is MemberRemoved { Member.NodeId: "b" }, "the subscriber sees b removed");
    }
}
