using System.Text.Json;
using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Cli;
using Autopilot.Daemon.Hosting;
using Autopilot.Daemon.Tests.Cluster;
using Autopilot.Daemon.Tests.Fixtures;

namespace Autopilot.Cli.Tests;

/// <summary>`autopilot cluster show|down|leave` against two clustered daemons on real Kestrel and one PostgreSQL.</summary>
public sealed class ClusterCommandTests : IClassFixture<ThrowawayPostgres>
{
    private readonly ThrowawayPostgres _server;

    public ClusterCommandTests(ThrowawayPostgres server) => _server = server;

    [Fact]
    public async Task Show_names_leader_and_standby_down_moves_the_orchestrator_and_leave_stops_the_last_node()
    {
        var db = await _server.CreateDatabaseAsync("cli_cluster");
        await using var first = await ClusterNodes.StartAsync(db, "node-a", kestrel: true);
        await ClusterNodes.LeadsAsync(first, "node-a to lead");
        await using var second = await ClusterNodes.StartAsync(db, "node-b", kestrel: true);
        await Poll.UntilAsync(() => second.Runtime.IsReady, "node-b to be Up", TimeSpan.FromSeconds(90));

        var show = await RunAsync(second, TestDaemon.ViewerToken, "cluster", "show");
        var json = await RunAsync(second, TestDaemon.ViewerToken, "cluster", "show", "--json");
        var unknown = await RunAsync(second, TestDaemon.AdminToken, "cluster", "down", "node-z");
        var asOperator = await RunAsync(second, TestDaemon.OperatorToken, "cluster", "down", "node-a");

        Assert.Equal(ExitCodes.Ok, show.ExitCode);
        Assert.Matches(@"node-a\s.*up\s.*leader", show.Output);
        Assert.Matches(@"node-b \(this node\)\s.*up\s.*standby", show.Output);
        Assert.Contains("Lease orchestrator: held by node-a with fencing token", show.Output);
        Assert.Contains("Inbox: 0 pending", show.Output);
        Assert.Equal("node-a", JsonDocument.Parse(json.Output).RootElement.GetProperty("leader").GetString());
        Assert.Equal(ExitCodes.Failed, unknown.ExitCode);
        Assert.Contains("The cluster has no member 'node-z'", unknown.Error);
        Assert.Equal(ExitCodes.Unauthorized, asOperator.ExitCode);

        var down = await RunAsync(second, TestDaemon.AdminToken, "cluster", "down", "node-a");

        Assert.Equal(ExitCodes.Ok, down.ExitCode);
        Assert.Contains("node-a is now Down", down.Output);
        await first.Runtime.System.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(DaemonExitCodes.Downed, first.Runtime.ExitCode);
        await ClusterNodes.LeadsAsync(second, "node-b to take over");
        var again = await RunAsync(second, TestDaemon.AdminToken, "cluster", "down", "node-a");
        Assert.Contains("node-a was already Down or Removed", again.Output);

        var leave = await RunAsync(second, TestDaemon.OperatorToken, "cluster", "leave");

        Assert.Equal(ExitCodes.Ok, leave.ExitCode);
        Assert.Contains("node-b is leaving the cluster", leave.Output);
        await second.Runtime.System.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(DaemonExitCodes.Stopped, second.Runtime.ExitCode);
    }

    private static Task<CliRun> RunAsync(TestDaemon daemon, string token, params string[] args) =>
        CliRun.ExecAsync(new Dictionary<string, string> { ["AUTOPILOT_HOST"] = daemon.Address!.Authority, ["AUTOPILOT_TOKEN"] = token }, args);
}
