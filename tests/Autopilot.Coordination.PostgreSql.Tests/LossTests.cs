using Akka.Coordination;
using Autopilot.Testing.PostgreSql;

namespace Autopilot.Coordination.PostgreSql.Tests;

/// <summary>A holder that cannot renew loses the lease, says so, and never acts on it again without a new token.</summary>
[Collection(PostgresCollection.Name)]
public sealed class LossTests(ThrowawayPostgres postgres) : IAsyncLifetime
{
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await postgres.CreateDatabaseAsync("lease_loss");

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_paused_holder_loses_the_lease_cannot_act_when_it_wakes_and_gets_it_back_only_with_a_higher_token()
    {
        var lease = $"singleton-{Guid.NewGuid():N}";
        await using var holder = await PauseHolderProcess.StartAsync(_connectionString, lease, "127.0.0.1:4001", LeaseTimings.Fast);
        await using var other = LeaseNode.Start(_connectionString, lease);
        using var sampler = new HolderSampler(other.Lease);

        var first = Assert.IsType<long>(await holder.AcquireAsync());
        Assert.False(await other.AcquireAsync());

        // Freeze the holder's whole process: no heartbeat, no thread at all, until it is woken.
        holder.Pause();
        await Eventually.UntilAsync(async () => await other.AcquireAsync(), "the other system took over the paused holder's lease");
        var second = Assert.IsType<long>(other.Lease.FencingToken);
        Assert.True(second > first, $"token {second} after {first}");

        // Awake: its very first check, before any renewal could run, says it does not hold the lease.
        holder.Resume();
        Assert.Null(await holder.CheckAsync());
        Assert.Equal(nameof(LeaseTimeoutException), await Eventually.WithinPatience(holder.Lost, "the woken holder's lost-lease callback fired"));
        Assert.Null(await holder.CheckAsync());
        Assert.Null(await holder.AcquireAsync());
        Assert.True(other.Lease.CheckLease());
        Assert.Equal(second, other.Lease.FencingToken);

        // Handed back properly, it gets a new, higher token.
        Assert.True(await other.Lease.Release());
        var third = Assert.IsType<long>(await holder.AcquireAsync());
        Assert.True(third > second, $"token {third} after {second}");
        Assert.Empty(other.Lost);
        Assert.Contains(second, sampler.TokensSeenBy(0));
    }

    [Fact]
    public async Task A_holder_whose_renewals_are_blocked_stops_claiming_it_and_is_told_it_lost_it()
    {
        var lease = $"singleton-{Guid.NewGuid():N}";
        var database = new LeaseDatabase(_connectionString);
        await using var holder = LeaseNode.Start(_connectionString, lease);
        await using var other = LeaseNode.Start(_connectionString, lease);

        Assert.True(await holder.AcquireAsync());
        var first = Assert.IsType<long>(holder.Lease.FencingToken);
        using (var sampler = new HolderSampler(holder.Lease, other.Lease))
        {
            // A row lock stands in for a database that stops answering this holder: renewals hang and time out.
            await using (await database.LockRowAsync(lease))
            {
                var reason = await Eventually.WithinPatience(holder.FirstLost, "the blocked holder's lost-lease callback fired");
                Assert.IsType<LeaseTimeoutException>(reason);
                Assert.False(holder.Lease.CheckLease());
                Assert.Null(holder.Lease.FencingToken);
            }

            await Eventually.UntilAsync(async () => await TryAcquireAsync(other), "the other system took the lapsed lease");
            var second = Assert.IsType<long>(other.Lease.FencingToken);
            Assert.True(second > first, $"token {second} after {first}");
            Assert.False(await holder.AcquireAsync());
            Assert.False(holder.Lease.CheckLease());
            sampler.Dispose();
            Assert.Empty(sampler.Overlaps);
        }

        Assert.Single(holder.Lost);
    }

    [Fact]
    public async Task The_lost_lease_callback_fires_when_the_row_is_taken_over()
    {
        var lease = $"singleton-{Guid.NewGuid():N}";
        var database = new LeaseDatabase(_connectionString);
        await using var holder = LeaseNode.Start(_connectionString, lease);
        Assert.True(await holder.AcquireAsync());
        var token = Assert.IsType<long>(holder.Lease.FencingToken);

        await database.StealAsync(lease);

        var reason = await Eventually.WithinPatience(holder.FirstLost, "the lost-lease callback fired");
        Assert.IsType<LeaseException>(reason);
        Assert.Contains(token.ToString(), reason.Message, StringComparison.Ordinal);
        Assert.False(holder.Lease.CheckLease());
        Assert.Null(holder.Lease.FencingToken);
        Assert.False(await holder.AcquireAsync());
        var row = await holder.Lease.ReadAsync();
        Assert.Equal(token + 1, row?.FencingToken);
        Assert.NotEqual(holder.Lease.Owner, row?.Owner);
    }

    private static async Task<bool> TryAcquireAsync(LeaseNode node)
    {
        try
        {
            return await node.AcquireAsync();
        }
        catch (LeaseException)
        {
            return false;
        }
    }
}
