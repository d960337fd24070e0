using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Actors.Sql.Cluster;
using Autopilot.Actors.Sql.Tests.Support;

namespace Autopilot.Actors.Sql.Tests.Cluster;

/// <summary>PostgreSQL restarting under running nodes.</summary>
[Collection(ClusterRestartPostgresCollection.Name)]
public sealed class ClusterRestartTests(ThrowawayPostgres server)
{
    [Fact]
    public async Task When_PostgreSQL_restarts_under_the_cluster_the_nodes_reconnect_nobody_is_downed_and_no_inbox_entry_is_lost_or_handled_twice()
    {
        var db = await server.CreateDatabaseAsync("cluster_restart");
        // Failure detection well above a restart's gap between two nodes' reconnections.
        ClusterSettings Settings(ClusterSettings s) => s with { FailureDetectionTimeout = TimeSpan.FromSeconds(5) };
        await using var a = await TestNode.StartAsync(db, "a", Settings);
        await using var b = await TestNode.StartAsync(db, "b", Settings);
        var keepers = new[] { a.StartKeeper("orchestrator"), b.StartKeeper("orchestrator") };
        var inbox = new DurableInbox(a.Database, "orchestrator");
        for (var i = 0; i < 10; i++)
            await inbox.EnqueueAsync(new InboxMessage("github", "push", $"before-{i}", "{}"), CancellationToken.None);
        await Eventually.TrueAsync(() => keepers.Any(k => k.HeldToken is not null), "someone leads");

        await server.RestartAsync();

        for (var i = 0; i < 10; i++)
            await RetryAsync(() => inbox.EnqueueAsync(new InboxMessage("github", "push", $"after-{i}", "{}"), CancellationToken.None));
        await RetryAsync(() => inbox.EnqueueAsync(new InboxMessage("github", "push", "before-3", "{}"), CancellationToken.None));
        await Eventually.TrueAsync(() => a.Database.Health.Status == JournalStatus.Healthy && b.Database.Health.Status == JournalStatus.Healthy, "both nodes heartbeat again");

        var handled = new List<string>();
        while (handled.Count < 20)
        {
            var token = keepers.Select(k => k.HeldToken).FirstOrDefault(t => t is not null);
            if (token is null)
            {
                await Task.Delay(20);
                continue;
            }

            try
            {
                foreach (var entry in await inbox.ClaimAsync(token.Value, 5, CancellationToken.None))
                {
                    handled.Add(entry.DedupeKey);
                    Assert.True(await inbox.CompleteAsync(entry.Id, token.Value, "ok", CancellationToken.None));
                }
            }
            catch (Exception e) when (e is StaleLeaseTokenException or ClusterUnavailableException)
            {
                // Leadership moved during the restart's aftermath: the next holder carries on.
            }
        }

        Assert.Equal(20, handled.Distinct().Count());
        Assert.Equal(0, await inbox.CountPendingAsync(CancellationToken.None));
        var members = (await a.Membership.GetViewAsync(CancellationToken.None)).Members;
        Assert.All(members, m => Assert.Equal(MemberStatus.Up, m.Status));
        Assert.DoesNotContain(a.MemberEvents.Concat(b.MemberEvents), e => e is MemberDowned);
        Assert.All(a.Logger.Entries.Concat(b.Logger.Entries), e => Assert.DoesNotContain(server.Password, e.Message));
    }

    [Fact]
    public async Task A_holder_that_cannot_reach_the_database_counts_its_lease_lost_by_expiry_and_wins_it_back_with_a_higher_token()
    {
        var db = await server.CreateDatabaseAsync("cluster_outage");
        // Failure detection far above the outage, so the holder is not downed and can win the lease back.
        await using var node = await TestNode.StartAsync(db, "holder", s => s with { FailureDetectionTimeout = TimeSpan.FromSeconds(30) });
        var keeper = node.StartKeeper("orchestrator");
        await Eventually.TrueAsync(() => keeper.HeldToken is not null, "the node holds the lease");
        var token = keeper.HeldToken!.Value;

        await server.StopAsync();
        try
        {
            await Eventually.TrueAsync(() => keeper.HeldToken is null, "the holder gives the lease up while the database is away");
            var lost = Assert.IsType<LeaseLost>(node.LeaseEvents.Last());
            Assert.Equal(token, lost.Token);
            Assert.Contains("before it expired", lost.Reason);
            Assert.Equal(JournalStatus.Unreachable, node.Database.Health.Status);
        }
        finally
        {
            await server.StartAsync();
        }

        await Eventually.TrueAsync(() => keeper.HeldToken is not null, "the node wins the lease back");
        Assert.True(keeper.HeldToken > token);
        Assert.Equal(MemberStatus.Up, node.Membership.Self?.Status);
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> attempt)
    {
        for (var failures = 0; ; failures++)
        {
            try
            {
                return await attempt();
            }
            catch (ClusterUnavailableException) when (failures < 50)
            {
                await Task.Delay(100);
            }
        }
    }
}
