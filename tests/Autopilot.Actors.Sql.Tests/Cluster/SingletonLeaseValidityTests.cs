using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Actors.Sql.Cluster;
using Autopilot.Actors.Sql.Tests.Support;

namespace Autopilot.Actors.Sql.Tests.Cluster;

/// <summary>
/// What a side effect of the singleton asks just before it happens: does this node still hold the lease with this
/// token, by its own monotonic clock?
/// </summary>
[Collection(ClusterPostgresCollection.Name)]
public sealed class SingletonLeaseValidityTests(ThrowawayPostgres server)
{
    [Fact]
    public async Task Only_the_holder_with_its_current_token_is_valid_and_after_a_graceful_handover_only_the_new_holder_is()
    {
        var db = await server.CreateDatabaseAsync("lease_validity");
        await using var first = await TestNode.StartAsync(db, "first");
        var firstKeeper = first.StartKeeper("orchestrator");
        await Eventually.TrueAsync(() => firstKeeper.HeldToken is not null, "first holds the lease");
        await using var second = await TestNode.StartAsync(db, "second");
        var secondKeeper = second.StartKeeper("orchestrator");
        var token = firstKeeper.HeldToken!.Value;

        Assert.True(firstKeeper.IsValidNow(token));
        Assert.False(firstKeeper.IsValidNow(token - 1));
        Assert.False(firstKeeper.IsValidNow(token + 1));
        Assert.False(secondKeeper.IsValidNow(token));

        await firstKeeper.StopAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => secondKeeper.HeldToken is not null, "second takes the lease over");

        Assert.False(firstKeeper.IsValidNow(token));
        Assert.True(secondKeeper.IsValidNow(secondKeeper.HeldToken!.Value));
    }

    [Fact]
    public async Task A_holder_whose_monotonic_clock_jumps_past_the_lease_is_invalid_at_once_before_its_loop_notices_and_then_loses_it()
    {
        var db = await server.CreateDatabaseAsync("lease_validity_pause");
        var clock = new MonotonicJumpTimeProvider();
        await using var node = await TestNode.StartAsync(db, "paused", time: clock);
        var keeper = node.StartKeeper("orchestrator");
        await Eventually.TrueAsync(() => keeper.HeldToken is not null, "the node holds the lease");
        var token = keeper.HeldToken!.Value;
        Assert.True(keeper.IsValidNow(token));

        clock.Jump(TimeSpan.FromHours(1));

        Assert.False(keeper.IsValidNow(token));
        await Eventually.TrueAsync(() => node.LeaseEvents.OfType<LeaseLost>().Any(l => l.Token == token), "the keeper publishes the loss");
        Assert.False(keeper.IsValidNow(token));
        Assert.NotEqual(token, keeper.HeldToken);
    }
}
