using Autopilot.Testing.PostgreSql;

namespace Autopilot.Coordination.PostgreSql.Tests;

/// <summary>Two and three actor systems competing for one lease name on a real PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class CompetitionTests(ThrowawayPostgres postgres) : IAsyncLifetime
{
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await postgres.CreateDatabaseAsync("lease_competition");

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task One_holder_at_a_time_release_hands_over_at_once_and_every_acquisition_raises_the_token()
    {
        var lease = $"singleton-{Guid.NewGuid():N}";
        await using var a = LeaseNode.Start(_connectionString, lease);
        await using var b = LeaseNode.Start(_connectionString, lease);

        Assert.True(await a.AcquireAsync());
        var first = Assert.IsType<long>(a.Lease.FencingToken);
        Assert.True(a.Lease.CheckLease());
        Assert.False(await b.AcquireAsync());
        Assert.False(b.Lease.CheckLease());
        Assert.Null(b.Lease.FencingToken);

        // Acquiring again while holding is the same tenure: same token.
        Assert.True(await a.AcquireAsync());
        Assert.Equal(first, a.Lease.FencingToken);

        // Release: a stops claiming it at once and b gets it on its very next try, with a higher token.
        Assert.True(await a.Lease.Release());
        Assert.False(a.Lease.CheckLease());
        Assert.True(await b.AcquireAsync());
        var second = Assert.IsType<long>(b.Lease.FencingToken);
        Assert.True(second > first, $"token {second} after {first}");
        Assert.False(await a.AcquireAsync());

        // Tokens are never reused, also when the same owner takes it again after a release.
        Assert.True(await b.Lease.Release());
        Assert.True(await b.AcquireAsync());
        var third = Assert.IsType<long>(b.Lease.FencingToken);
        Assert.True(third > second, $"token {third} after {second}");

        var row = await b.Lease.ReadAsync();
        Assert.NotNull(row);
        Assert.Equal(b.Lease.Owner, row.Owner);
        Assert.Equal(third, row.FencingToken);
        Assert.True(row.IsHeld);

        // Release frees the row in the database too (the token stays for the next holder to exceed).
        Assert.True(await b.Lease.Release());
        Assert.False(await b.Lease.Release());
        row = await a.Lease.ReadAsync();
        Assert.NotNull(row);
        Assert.Null(row.Owner);
        Assert.False(row.IsHeld);
        Assert.Equal(third, row.FencingToken);
        Assert.Empty(a.Lost);
        Assert.Empty(b.Lost);
    }

    [Fact]
    public async Task Three_systems_competing_never_hold_it_at_once_and_tokens_grow_with_each_acquisition()
    {
        var lease = $"singleton-{Guid.NewGuid():N}";
        var nodes = new[]
        {
            LeaseNode.Start(_connectionString, lease),
            LeaseNode.Start(_connectionString, lease),
            LeaseNode.Start(_connectionString, lease),
        };
        try
        {
            var acquisitions = new List<(int Node, long Token)>();
            using var stop = new CancellationTokenSource();
            using var sampler = new HolderSampler(nodes.Select(n => n.Lease).ToArray());
            var competitors = nodes.Select((node, index) => Task.Run(async () =>
            {
                var random = new Random(index);
                var mine = 0;
                while (!stop.IsCancellationRequested)
                {
                    if (await node.AcquireAsync())
                    {
                        // Only the holder appends, and it appends before releasing: the list is in acquisition order.
                        lock (acquisitions)
                            acquisitions.Add((index, node.Lease.FencingToken ?? -1));
                        mine++;
                        await Task.Delay(random.Next(0, 40));
                        Assert.True(await node.Lease.Release());
                        // Stand back longer than the others retry (1–15 ms), or the node that just released tends to win
                        // again at once and, on a busy machine, another can go without for the whole wait below.
                        await Task.Delay(random.Next(15, 40));
                    }
                    else
                    {
                        await Task.Delay(random.Next(1, 15));
                    }
                }

                return mine;
            })).ToArray();

            await Eventually.UntilAsync(() =>
            {
                lock (acquisitions)
                    return Enumerable.Range(0, nodes.Length).All(i => acquisitions.Count(x => x.Node == i) >= 5);
            }, "each of the three systems acquired the lease five times");
            await stop.CancelAsync();
            await Task.WhenAll(competitors);
            sampler.Dispose();

            Assert.Empty(sampler.Overlaps);
            Assert.True(sampler.SamplesWithHolder > 0, "the sampler never saw a holder");
            var tokens = acquisitions.Select(x => x.Token).ToList();
            Assert.DoesNotContain(-1L, tokens);
            for (var i = 1; i < tokens.Count; i++)
                Assert.True(tokens[i] > tokens[i - 1], $"acquisition {i} got token {tokens[i]} after {tokens[i - 1]}");
            for (var i = 0; i < nodes.Length; i++)
                Assert.All(sampler.TokensSeenBy(i), t => Assert.Contains((i, t), acquisitions));
            Assert.All(nodes, n => Assert.Empty(n.Lost));
        }
        finally
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_new_incarnation_on_the_same_host_and_port_does_not_inherit_the_lease()
    {
        var lease = $"singleton-{Guid.NewGuid():N}";
        const string sameAddress = "10.0.0.7:4053";
        var database = new LeaseDatabase(_connectionString);

        var before = LeaseNode.Start(_connectionString, lease, sameAddress, LeaseTimings.Long);
        Assert.True(await before.AcquireAsync());
        var token = Assert.IsType<long>(before.Lease.FencingToken);
        var deadOwner = before.Lease.Owner;
        // The node dies without releasing (its heartbeats stop with its actor system).
        await before.DisposeAsync();
        Assert.False(before.Lease.CheckLease());

        await using var after = LeaseNode.Start(_connectionString, lease, sameAddress, LeaseTimings.Long);
        Assert.StartsWith($"{sameAddress}#", after.Lease.Owner, StringComparison.Ordinal);
        Assert.StartsWith($"{sameAddress}#", deadOwner, StringComparison.Ordinal);
        Assert.NotEqual(deadOwner, after.Lease.Owner);
        Assert.False(await after.AcquireAsync());
        Assert.False(after.Lease.CheckLease());
        var row = await after.Lease.ReadAsync();
        Assert.Equal(deadOwner, row?.Owner);

        // Only once the predecessor's row expires (by the database clock) does the new incarnation get it: new token.
        await database.ExpireAsync(lease);
        Assert.True(await after.AcquireAsync());
        Assert.True(after.Lease.FencingToken > token, $"token {after.Lease.FencingToken} after {token}");
    }
}
