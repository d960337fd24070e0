using Akka.Coordination;
using Autopilot.Testing.PostgreSql;
using Xunit.Abstractions;

namespace Autopilot.Coordination.PostgreSql.Tests;

/// <summary>PostgreSQL restarted or down under a holder: the lease recovers, or is reported lost, never doubly held.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresRestartTests(ThrowawayPostgres postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await postgres.CreateDatabaseAsync("lease_restart");

    public async Task DisposeAsync() => await postgres.StartAsync();

    [Fact]
    public async Task A_restart_under_the_holder_ends_with_exactly_one_provable_holder()
    {
        var lease = $"singleton-{Guid.NewGuid():N}";
        var database = new LeaseDatabase(_connectionString);
        await using var holder = LeaseNode.Start(_connectionString, lease);
        await using var other = LeaseNode.Start(_connectionString, lease);
        Assert.True(await holder.AcquireAsync());
        var first = Assert.IsType<long>(holder.Lease.FencingToken);

        using var stop = new CancellationTokenSource();
        using var sampler = new HolderSampler(holder.Lease, other.Lease);
        var competitor = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await TryAcquireAsync(other);
                await Task.Delay(100);
            }
        });
        var reacquirer = Task.Run(async () =>
        {
            // What the singleton does after a lost lease: try again (and again) until it has it or someone else does.
            while (!stop.IsCancellationRequested)
            {
                if (holder.FirstLost.IsCompleted && !holder.Lease.CheckLease() && !other.Lease.CheckLease())
                    await TryAcquireAsync(holder);
                await Task.Delay(100);
            }
        });

        var restarting = System.Diagnostics.Stopwatch.StartNew();
        await postgres.RestartAsync();
        var restarted = await database.NowAsync();
        output.WriteLine($"PostgreSQL restarted in {restarting.Elapsed.TotalSeconds:0.0} s.");

        // Converged: the row was written after the restart, and the lease it names proves it holds that token.
        PostgreSqlLease? winner = null;
        long token = 0;
        await Eventually.UntilAsync(async () =>
        {
            var row = await database.ReadAsync(lease, restarted);
            if (row is not { TouchedSince: true, Live: true })
                return false;
            winner = new[] { holder.Lease, other.Lease }.SingleOrDefault(l => l.Owner == row.Value.Owner);
            return winner is not null && winner.TryGetFencingToken(out token) && token == row.Value.Token;
        }, "one system proved it holds the lease after the restart");

        if (winner == holder.Lease && token == first)
        {
            // Renewals caught up within the timeout: the same tenure went on, nothing was lost.
            output.WriteLine($"The holder kept its tenure (token {token}) across the restart.");
            Assert.Empty(holder.Lost);
        }
        else
        {
            // The tenure ran out while the database was away: reported, and the new tenure has a higher token.
            output.WriteLine($"The tenure (token {first}) ran out; {(winner == holder.Lease ? "the holder" : "the other system")} took token {token}.");
            Assert.True(token > first, $"token {token} after {first}");
            Assert.IsAssignableFrom<LeaseException>(await Eventually.WithinPatience(holder.FirstLost, "the old tenure was reported lost"));
        }

        await stop.CancelAsync();
        await Task.WhenAll(competitor, reacquirer);
        sampler.Dispose();
        Assert.Empty(sampler.Overlaps);
    }

    [Fact]
    public async Task A_holder_that_cannot_reach_the_database_past_the_timeout_reports_the_loss_and_reacquires_with_a_higher_token()
    {
        var lease = $"singleton-{Guid.NewGuid():N}";
        await using var holder = LeaseNode.Start(_connectionString, lease);
        Assert.True(await holder.AcquireAsync());
        var first = Assert.IsType<long>(holder.Lease.FencingToken);

        await postgres.StopAsync();
        try
        {
            var reason = await Eventually.WithinPatience(holder.FirstLost, "the lost-lease callback fired while the database was down");
            Assert.IsType<LeaseTimeoutException>(reason);
            Assert.False(holder.Lease.CheckLease());
            Assert.Null(holder.Lease.FencingToken);
            await Assert.ThrowsAnyAsync<LeaseException>(() => holder.AcquireAsync());
        }
        finally
        {
            await postgres.StartAsync();
        }

        await Eventually.UntilAsync(() => TryAcquireAsync(holder), "the holder re-acquired after the database came back");
        var second = Assert.IsType<long>(holder.Lease.FencingToken);
        Assert.True(second > first, $"token {second} after {first}");
        Assert.Single(holder.Lost);
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
