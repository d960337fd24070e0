using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Actors.Sql.Cluster;
using Autopilot.Actors.Sql.Tests.Support;

namespace Autopilot.Actors.Sql.Tests.Cluster;

/// <summary>Keepers on several nodes: one holds, the others take over when it leaves, hangs, is downed, or its clock is wrong.</summary>
[Collection(ClusterPostgresCollection.Name)]
public sealed class SingletonLeaseKeeperTests(ThrowawayPostgres server)
{
    [Fact]
    public async Task One_of_several_keepers_holds_the_lease_and_on_graceful_leave_a_standby_takes_it_with_a_higher_token()
    {
        var db = await server.CreateDatabaseAsync("keeper_handover");
        await using var a = await TestNode.StartAsync(db, "a");
        await using var b = await TestNode.StartAsync(db, "b");
        await using var c = await TestNode.StartAsync(db, "c");
        var keepers = new[] { a, b, c }.ToDictionary(n => n, n => n.StartKeeper("orchestrator"));

        await Eventually.TrueAsync(() => keepers.Values.Any(k => k.HeldToken is not null), "someone holds the lease");
        var (holder, keeper) = keepers.Single(k => k.Value.HeldToken is not null);
        var firstToken = keeper.HeldToken!.Value;
        Assert.Equal([new LeaseAcquired("orchestrator", firstToken)], holder.LeaseEvents);

        await holder.Membership.LeaveAsync(ct => keeper.StopAsync(ct), CancellationToken.None);

        Assert.Equal([new LeaseAcquired("orchestrator", firstToken), new LeaseLost("orchestrator", firstToken, "released (handover)")], holder.LeaseEvents);
        await Eventually.TrueAsync(() => keepers.Where(k => k.Key != holder).Any(k => k.Value.HeldToken is not null), "a standby takes over");
        var (successor, successorKeeper) = keepers.Where(k => k.Key != holder).Single(k => k.Value.HeldToken is not null);
        Assert.True(successorKeeper.HeldToken > firstToken);
        Assert.Equal([new LeaseAcquired("orchestrator", successorKeeper.HeldToken!.Value)], successor.LeaseEvents);
        var others = keepers.Keys.Where(n => n != holder && n != successor).Single();
        Assert.Empty(others.LeaseEvents);
    }

    [Fact]
    public async Task A_holder_whose_heartbeats_stop_is_downed_loses_the_lease_and_a_standby_takes_it_with_a_higher_token()
    {
        var db = await server.CreateDatabaseAsync("keeper_failover");
        await using var first = await TestNode.StartAsync(db, "first", TestNode.FastFailureDetection);
        var firstKeeper = first.StartKeeper("orchestrator");
        await Eventually.TrueAsync(() => firstKeeper.HeldToken is not null, "the first node holds the lease");
        var firstToken = firstKeeper.HeldToken!.Value;
        await using var standby = await TestNode.StartAsync(db, "standby", TestNode.FastFailureDetection);
        var standbyKeeper = standby.StartKeeper("orchestrator");

        // The first node's heartbeat loop dies (its keeper keeps trying to renew).
        await first.Membership.DisposeAsync();

        await Eventually.TrueAsync(() => standbyKeeper.HeldToken is not null, "the standby takes over");
        await Eventually.TrueAsync(() => firstKeeper.HeldToken is null, "the old holder knows it lost the lease");
        Assert.True(standbyKeeper.HeldToken > firstToken);
        var lost = Assert.IsType<LeaseLost>(first.LeaseEvents.Last());
        Assert.Equal(firstToken, lost.Token);
        Assert.Contains(standby.MemberEvents, e => e is MemberDowned { Member.NodeId: "first" });
    }

    [Fact]
    public async Task An_operator_downing_the_holder_moves_the_lease_to_a_standby_and_the_downed_node_never_takes_it_back()
    {
        var db = await server.CreateDatabaseAsync("keeper_down");
        await using var first = await TestNode.StartAsync(db, "first");
        var firstKeeper = first.StartKeeper("orchestrator");
        await Eventually.TrueAsync(() => firstKeeper.HeldToken is not null, "the first node holds the lease");
        await using var standby = await TestNode.StartAsync(db, "standby");
        var standbyKeeper = standby.StartKeeper("orchestrator");

        await standby.Membership.DownAsync("first", "drill", CancellationToken.None);

        await Eventually.TrueAsync(() => standbyKeeper.HeldToken is not null && firstKeeper.HeldToken is null, "the lease moved");
        await Eventually.TrueAsync(() => first.Membership.Self?.Status == MemberStatus.Down, "the downed node knows it");
        var view = await standby.Membership.GetViewAsync(CancellationToken.None);
        Assert.Equal("standby", view.Leases.Single().OwnerNode);
        Assert.Single(first.LeaseEvents.OfType<LeaseAcquired>());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task A_node_whose_clock_is_an_hour_off_neither_steals_the_lease_nor_downs_anyone_and_still_takes_over_when_free(int skewHours)
    {
        var db = await server.CreateDatabaseAsync("keeper_skew");
        // Generous lease and failure detection: only a wrong clock, not a slow machine, could make anything move.
        ClusterSettings Relaxed(ClusterSettings s) => s with { LeaseDuration = TimeSpan.FromSeconds(10), FailureDetectionTimeout = TimeSpan.FromSeconds(10) };
        await using var holder = await TestNode.StartAsync(db, "holder", Relaxed);
        var holderKeeper = holder.StartKeeper("orchestrator");
        await Eventually.TrueAsync(() => holderKeeper.HeldToken is not null, "the holder holds the lease");
        var token = holderKeeper.HeldToken!.Value;
        await using var skewed = await TestNode.StartAsync(db, "skewed", Relaxed, new SkewedTimeProvider(TimeSpan.FromHours(skewHours)));
        var skewedKeeper = skewed.StartKeeper("orchestrator");

        // Let the skewed node run some twenty heartbeats (each also judging the others) and ten acquire attempts.
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Equal(token, holderKeeper.HeldToken);
        Assert.Null(skewedKeeper.HeldToken);
        Assert.Empty(skewed.LeaseEvents);
        Assert.DoesNotContain(skewed.MemberEvents, e => e is MemberDowned);
        Assert.DoesNotContain(holder.MemberEvents, e => e is MemberDowned);

        await holderKeeper.StopAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => skewedKeeper.HeldToken is not null, "the skewed node takes the released lease");
        Assert.True(skewedKeeper.HeldToken > token);
    }
}
