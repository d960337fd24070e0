using System.Diagnostics;
using System.Globalization;
using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.ClusterHarness.Audit;
using Autopilot.Daemon.ClusterHarness.Cluster;
using Autopilot.Daemon.ClusterHarness.Configuration;
using Autopilot.Daemon.ClusterHarness.Platforms;
using Autopilot.Daemon.ClusterHarness.Processes;
using Autopilot.Benchmarks.Reporting;

namespace Autopilot.Benchmarks.Failover;

/// <summary>
/// Fail-over time of a real cluster: three <c>autopilotd</c> processes on one throwaway PostgreSQL with the platform
/// fakes in this process. Each run SIGKILLs the leader and measures until the new leader's first action, defined as
/// the first request any surviving node sends to a platform after the kill: only the lease holder may call a
/// platform, and on taking the singleton the orchestrator's first observe cycle reads Railway and GitHub at once.
/// Both instants are read on this process's clock (the fakes stamp requests on arrival). The killed node is then
/// started again as a standby, so every run fails over a full three-node cluster.
/// </summary>
public static class FailoverBenchmark
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Options: <c>--runs N</c> (default 10), <c>--timings default|test|fast</c>: the daemon's defaults, the tests'
    /// (lease 3 s, failure detection 3 s), or a tighter setting (heartbeat 250 ms, failure detection 1 s, lease 2 s).
    /// </summary>
    public static async Task RunAsync(string[] args)
    {
        var runs = int.Parse(BenchmarkConsole.Option(args, "--runs") ?? "10", CultureInfo.InvariantCulture);
        var timingsName = BenchmarkConsole.Option(args, "--timings") ?? "default";
        var timings = timingsName switch
        {
            "default" => ClusterTimings.Defaults,
            "test" => ClusterTimings.Test,
            "fast" => new ClusterTimings(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(100)),
            _ => throw new ArgumentException($"--timings must be default, test or fast (was '{timingsName}')."),
        };

        using var server = await ThrowawayPostgres.StartNewAsync();
        await using var cluster = await DaemonCluster.StartAsync(server, new DaemonClusterOptions { Purpose = "failover-bench", Timings = timings });
        Console.Error.WriteLine($"failover: 3 nodes ready, {timingsName} cluster timings, {runs} runs");
        var rows = new List<string[]>();
        var figures = new List<double>();
        try
        {
            for (var run = 1; run <= runs; run++)
            {
                var (figure, row) = await MeasureOnceAsync(cluster, run);
                figures.Add(figure);
                rows.Add(row);
                Console.Error.WriteLine(string.Join("  ", row));
            }
        }
        catch
        {
            Console.Error.WriteLine(await cluster.DescribeAsync());
            throw;
        }

        BenchmarkConsole.PrintTable(["run", "killed leader", "token", "new leader", "token", "lease taken ms", "first action", "fail-over ms"], rows);
        var sorted = figures.Order().ToArray();
        var median = BenchmarkConsole.Median(sorted);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fail-over over {sorted.Length} runs: median {median:F0} ms, max {sorted[^1]:F0} ms, min {sorted[0]:F0} ms"));
    }

    private static async Task<(double Milliseconds, string[] Row)> MeasureOnceAsync(DaemonCluster cluster, int run)
    {
        var before = await cluster.WaitForLeaderAsync(deadline: Deadline);
        await AllMembersUpAsync(cluster, before.Node);
        var survivors = cluster.Nodes.Where(n => n != before.Node).ToArray();

        var killedAt = TimeProvider.System.GetUtcNow();
        before.Node.Signal(PosixSignal.Kill);
        var first = await Eventually.ValueAsync(() => Task.FromResult(survivors
                .SelectMany(n => cluster.Platforms.RequestsBy(n.Credentials).Select(r => (Node: n, Request: r)))
                .Where(c => c.Request.ReceivedAt >= killedAt)
                .OrderBy(c => c.Request.ReceivedAt)
                .Select(c => new FirstAction(c.Node, c.Request))
                .FirstOrDefault()),
            "the new leader's first platform request", Deadline);
        var elapsed = (first.Request.ReceivedAt - killedAt).TotalMilliseconds;
        var after = await cluster.WaitForLeaderAsync(except: before.Node, deadline: Deadline);
        if (after.Node != first.Node)
        {
            throw new InvalidOperationException($"{first.Node.NodeId} called a platform first, but {after.Node.NodeId} leads: a standby acted without the lease.");
        }

        // When the new leader took the singleton, by its own record of the hand-over (same machine, same clock).
        var started = await Eventually.ValueAsync(async () => (await AuditTrail.ReadEntriesAsync(after.Node))
            .FirstOrDefault(e => e.Is<SingletonStarted>() && e.NumberField("token") == after.Token), "the hand-over on the audit trail", Deadline);
        var leaseTaken = (DateTimeOffset.Parse(started.Field("at")!, CultureInfo.InvariantCulture) - killedAt).TotalMilliseconds;

        // Bring the killed node back as a standby (a new incarnation), as its process supervisor would.
        await before.Node.WaitForExitAsync(Deadline);
        before.Node.Start();
        await before.Node.WaitUntilReadyAsync(Deadline);
        return (elapsed, [
            run.ToString(CultureInfo.InvariantCulture), before.Node.NodeId, before.Token.ToString(CultureInfo.InvariantCulture),
            after.Node.NodeId, after.Token.ToString(CultureInfo.InvariantCulture), leaseTaken.ToString("F0", CultureInfo.InvariantCulture),
            $"{first.Request.Platform} {first.Request.What}",
            elapsed.ToString("F0", CultureInfo.InvariantCulture),
        ]);
    }

    /// <summary>Waits until the leader lists every node as up, so each run starts from a full cluster of ready standbys.</summary>
    private static Task AllMembersUpAsync(DaemonCluster cluster, DaemonNode leader) =>
        Eventually.UntilAsync(async () =>
        {
            var view = await leader.ClusterViewAsync();
            return cluster.Nodes.All(n => view.Member(n.NodeId)?.Status == "up");
        }, "every member to be up", Deadline);

    /// <summary>The first platform request after the kill, and the node that sent it.</summary>
    private sealed record FirstAction(DaemonNode Node, PlatformRequest Request);

}
