using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Actors.Sql.Cluster;
using Autopilot.Actors.Sql.Postgres;
using Autopilot.Actors.Sql.Tests.Support;
using Npgsql;

namespace Autopilot.Actors.Sql.Tests.Cluster;

/// <summary>Acquisition, renewal, release and expiry of a singleton lease, and the fencing tokens they hand out.</summary>
[Collection(ClusterPostgresCollection.Name)]
public sealed class SingletonLeaseTests(ThrowawayPostgres server)
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Of_many_concurrent_acquire_attempts_by_several_nodes_exactly_one_wins_and_every_later_acquisition_gets_a_higher_token()
    {
        var db = await server.CreateDatabaseAsync("lease_contention");
        var nodes = new List<TestNode>();
        try
        {
            for (var i = 0; i < 4; i++)
                nodes.Add(await TestNode.StartAsync(db, $"contender-{i}"));

            var attempts = Enumerable.Range(0, 24).Select(i =>
            {
                var node = nodes[i % nodes.Count];
                return Task.Run(() => node.Lease("orchestrator", Long).TryAcquireAsync(node.Membership.NodeId, node.Membership.Incarnation, CancellationToken.None));
            }).ToArray();
            var grants = (await Task.WhenAll(attempts)).Where(g => g is not null).Select(g => g!).ToArray();

            var winner = Assert.Single(grants);
            var lease = await nodes[0].Lease("orchestrator").GetAsync(CancellationToken.None);
            Assert.Equal(winner.NodeId, lease!.OwnerNode);
            Assert.Equal(winner.Token, lease.Token);
            Assert.True(lease.IsHeld);

            // Hand the lease round the nodes: each acquisition's token is higher than all before it.
            var tokens = new List<long> { winner.Token };
            var current = winner;
            for (var round = 1; round <= 6; round++)
            {
                var holder = nodes.Single(n => n.Membership.NodeId == current.NodeId);
                Assert.True(await holder.Lease("orchestrator").ReleaseAsync(current, CancellationToken.None));
                var next = nodes[round % nodes.Count];
                current = (await next.Lease("orchestrator", Long).TryAcquireAsync(next.Membership.NodeId, next.Membership.Incarnation, CancellationToken.None))!;
                Assert.NotNull(current);
                tokens.Add(current.Token);
            }

            Assert.Equal(tokens.OrderBy(t => t).Distinct(), tokens);
        }
        finally
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_held_lease_is_refused_to_others_an_expired_one_goes_to_a_standby_with_a_higher_token_and_the_old_holders_renew_is_refused()
    {
        var db = await server.CreateDatabaseAsync("lease_expiry");
        await using var holder = await TestNode.StartAsync(db, "holder");
        await using var standby = await TestNode.StartAsync(db, "standby");
        var grant = await holder.Lease("orchestrator", Long).TryAcquireAsync("holder", holder.Membership.Incarnation, CancellationToken.None);
        Assert.NotNull(grant);

        Assert.Null(await standby.Lease("orchestrator", Long).TryAcquireAsync("standby", standby.Membership.Incarnation, CancellationToken.None));
        var renewed = await holder.Lease("orchestrator", Long).RenewAsync(grant, CancellationToken.None);
        Assert.Equal(grant.Token, renewed?.Token);
        Assert.True(renewed!.ValidFor > TimeSpan.FromMinutes(4));

        // The holder's last renewal is a short one and then it falls silent.
        Assert.NotNull(await holder.Lease("orchestrator", TimeSpan.FromMilliseconds(200)).RenewAsync(grant, CancellationToken.None));
        var taken = await EventuallyAsync.ValueAsync(
            () => standby.Lease("orchestrator", Long).TryAcquireAsync("standby", standby.Membership.Incarnation, CancellationToken.None),
            "the standby takes the expired lease");

        Assert.True(taken.Token > grant.Token);
        Assert.Null(await holder.Lease("orchestrator", Long).RenewAsync(grant, CancellationToken.None));
        Assert.False(await holder.Lease("orchestrator").ReleaseAsync(grant, CancellationToken.None));
        var view = await standby.Lease("orchestrator").GetAsync(CancellationToken.None);
        Assert.Equal(("standby", taken.Token, true), (view!.OwnerNode, view.Token, view.IsHeld));
    }

    [Fact]
    public async Task A_node_that_is_not_Up_cannot_acquire_and_a_released_lease_is_taken_at_once()
    {
        var db = await server.CreateDatabaseAsync("lease_release");
        await using var first = await TestNode.StartAsync(db, "first");
        await using var second = await TestNode.StartAsync(db, "second");
        await using var downed = await TestNode.StartAsync(db, "downed");
        await first.Membership.DownAsync("downed", "test", CancellationToken.None);

        Assert.Null(await downed.Lease("orchestrator", Long).TryAcquireAsync("downed", downed.Membership.Incarnation, CancellationToken.None));
        Assert.Null(await first.Lease("orchestrator", Long).TryAcquireAsync("never-joined", 1, CancellationToken.None));

        var grant = await first.Lease("orchestrator", Long).TryAcquireAsync("first", first.Membership.Incarnation, CancellationToken.None);
        Assert.True(await first.Lease("orchestrator").ReleaseAsync(grant!, CancellationToken.None));
        var next = await second.Lease("orchestrator", Long).TryAcquireAsync("second", second.Membership.Incarnation, CancellationToken.None);

        Assert.Equal(grant!.Token + 1, next?.Token);
        var view = await second.Membership.GetViewAsync(CancellationToken.None);
        Assert.Equal(("orchestrator", "second", true), (view.Leases.Single().Name, view.Leases.Single().OwnerNode, view.Leases.Single().IsHeld));
    }

    [Fact]
    public async Task A_holder_frozen_inside_a_transaction_on_the_lease_row_does_not_stop_a_standby_taking_the_expired_lease()
    {
        var db = await server.CreateDatabaseAsync("lease_frozen_holder");
        await using var holder = await TestNode.StartAsync(db, "holder");
        await using var standby = await TestNode.StartAsync(db, "standby");
        var grant = await holder.Lease("orchestrator", TimeSpan.FromMilliseconds(200)).TryAcquireAsync("holder", holder.Membership.Incarnation, CancellationToken.None);
        Assert.NotNull(grant);
        // The holder's process freezes inside an inbox claim, which locks the lease row to check its token.
        var frozenBuilder = new NpgsqlConnectionStringBuilder(db);
        PostgresSessionOptions.Apply(frozenBuilder);
        await using var frozen = new NpgsqlConnection(frozenBuilder.ConnectionString);
        await frozen.OpenAsync();
        await using var transaction = await frozen.BeginTransactionAsync();
        await using (var check = new NpgsqlCommand("SELECT token FROM cluster_lease WHERE name = 'orchestrator' FOR SHARE", frozen, transaction))
            await check.ExecuteScalarAsync();

        var taken = await EventuallyAsync.ValueAsync(
            () => standby.Lease("orchestrator", Long).TryAcquireAsync("standby", standby.Membership.Incarnation, CancellationToken.None),
            "the standby takes the expired lease").WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(taken.Token > grant!.Token);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => transaction.CommitAsync());
    }
}
