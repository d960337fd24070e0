using System.Net;
using System.Text.Json;
using Autopilot.Cli;

namespace Autopilot.Cli.Tests;

/// <summary>
/// <c>cluster show|leave|down</c> and <c>actors tree</c> against a canned three-member cluster in the shape of the
/// daemon's <c>/api/cluster</c> and <c>/api/actors</c> (the single node is covered against a real daemon in
/// <see cref="ReadCommandTests"/>).
/// </summary>
public sealed class ClusterCommandTests
{
    private const string Node1 = "akka.tcp://autopilotd@10.0.0.1:4061";
    private const string Node2 = "akka.tcp://autopilotd@10.0.0.2:4061";
    private const string Node3 = "akka.tcp://autopilotd@10.0.0.3:4061";

    // Node 2 is the oldest (runs the singletons), node 1 (the one --host points at) leads, node 3 is unreachable.
    private const string Cluster = $$"""
        {
          "clustered": true,
          "self": "{{Node1}}",
          "leader": "{{Node1}}",
          "oldest": "{{Node2}}",
          "members": [
            { "address": "{{Node1}}", "status": "up", "roles": ["autopilot"], "reachable": true, "appVersion": "1.4.0" },
            { "address": "{{Node2}}", "status": "up", "roles": ["autopilot"], "reachable": true, "appVersion": "1.4.0" },
            { "address": "{{Node3}}", "status": "leaving", "roles": [], "reachable": false, "appVersion": "1.3.9" }
          ],
          "leases": [
            { "singleton": "orchestrator", "owner": "autopilotd@10.0.0.2:4061#ace9e79e35a9", "token": 17, "held": true, "validForMs": 12345, "error": null },
            { "singleton": "handover", "owner": null, "token": 0, "held": false, "validForMs": 0, "error": "the lease could not be read: connection refused" }
          ]
        }
        """;

    private static CannedDaemon ClusterDaemon() => new CannedDaemon().Answer(HttpMethod.Get, "/api/cluster", HttpStatusCode.OK, Cluster);

    private static string Row(CliRun run, string address) =>
        Assert.Single(run.Output.Split('\n'), l => l.Contains(address, StringComparison.Ordinal) && (l.Contains("1.4.0", StringComparison.Ordinal) || l.Contains("1.3.9", StringComparison.Ordinal)));

    [Fact]
    public async Task Cluster_show_lists_every_member_with_its_markers_then_the_leader_the_oldest_and_each_singleton_lease()
    {
        var run = await ClusterDaemon().RunAsync("cluster", "show");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.DoesNotContain("Single node", run.Output);
        var self = Row(run, Node1);
        var oldest = Row(run, Node2);
        var unreachable = Row(run, Node3);
        Assert.Contains("this node", self);
        Assert.Contains("leader", self);
        Assert.DoesNotContain("oldest", self);
        Assert.Contains("oldest: runs the singletons", oldest);
        Assert.DoesNotContain("leader", oldest);
        Assert.Contains("leaving", unreachable);
        Assert.Contains("NO", unreachable);
        Assert.Contains("1.3.9", unreachable);
        Assert.Contains($"Leader: {Node1}", run.Output);
        Assert.Contains($"Oldest: {Node2} runs the singletons (orchestrator, handover)", run.Output);
        var orchestrator = Assert.Single(run.Output.Split('\n'), l => l.Contains("orchestrator", StringComparison.Ordinal) && l.Contains("#ace9e79e35a9", StringComparison.Ordinal));
        Assert.Contains("autopilotd@10.0.0.2:4061#ace9e79e35a9", orchestrator);
        Assert.Contains(" 17 ", orchestrator);
        Assert.Contains("held", orchestrator);
        Assert.Contains("12.3 s", orchestrator);
        var handover = Assert.Single(run.Output.Split('\n'), l => l.Contains("handover", StringComparison.Ordinal) && l.Contains("could not be read", StringComparison.Ordinal));
        Assert.Contains("unknown", handover);
    }

    [Fact]
    public async Task Cluster_show_json_prints_the_daemons_answer_as_is()
    {
        var run = await ClusterDaemon().RunAsync("cluster", "show", "--json");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        var report = JsonDocument.Parse(run.Output).RootElement;
        Assert.True(report.GetProperty("clustered").GetBoolean());
        Assert.Equal(Node2, report.GetProperty("oldest").GetString());
        Assert.Equal(3, report.GetProperty("members").GetArrayLength());
        Assert.Equal(17, report.GetProperty("leases")[0].GetProperty("token").GetInt64());
    }

    [Fact]
    public async Task Cluster_leave_without_an_address_asks_for_the_node_at_host_and_with_one_names_the_member()
    {
        var daemon = new CannedDaemon().Answer(HttpMethod.Post, "/api/cluster/leave", HttpStatusCode.Accepted, $$"""{"address":"{{Node1}}","outcome":"leaving"}""");

        var self = await daemon.RunAsync("cluster", "leave");
        var other = await daemon.RunAsync("cluster", "leave", "10.0.0.3:4061", "--json");

        Assert.Equal((ExitCodes.Ok, ExitCodes.Ok), (self.ExitCode, other.ExitCode));
        Assert.Contains($"Member {Node1} is leaving the cluster", self.Output);
        Assert.Equal("leaving", JsonDocument.Parse(other.Output).RootElement.GetProperty("outcome").GetString());
        Assert.Equal(2, daemon.Requests.Count);
        Assert.All(daemon.Requests, r => Assert.Equal(("POST", "/api/cluster/leave"), (r.Method, r.Path)));
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(daemon.Requests[0].Body).RootElement.GetProperty("address").ValueKind);
        Assert.Equal("10.0.0.3:4061", JsonDocument.Parse(daemon.Requests[1].Body).RootElement.GetProperty("address").GetString());
    }

    [Fact]
    public async Task Cluster_down_sends_the_address_and_reports_the_outcome()
    {
        var daemon = new CannedDaemon().Answer(HttpMethod.Post, "/api/cluster/down", HttpStatusCode.Accepted, $$"""{"address":"{{Node3}}","outcome":"down"}""");

        var run = await daemon.RunAsync("cluster", "down", Node3);

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains($"Member {Node3} is marked down", run.Output);
        Assert.Equal(Node3, JsonDocument.Parse(Assert.Single(daemon.Requests).Body).RootElement.GetProperty("address").GetString());
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound, """{"error":"member_not_found","message":"No member of this cluster is at '10.0.0.9:4061' (see `autopilot cluster show`)."}""", ExitCodes.Failed, "No member of this cluster is at '10.0.0.9:4061'")]
    [InlineData(HttpStatusCode.Conflict, """{"error":"not_clustered","message":"This daemon runs as a single node (autopilot.cluster.enabled = off): there is no cluster to leave or down; stop the process instead."}""", ExitCodes.NotClustered, "single node")]
    [InlineData(HttpStatusCode.BadRequest, """{"error":"address_required","message":"Name the member to down: {\"address\": \"host:port\"}."}""", ExitCodes.Usage, "Name the member to down")]
    [InlineData(HttpStatusCode.Forbidden, """{"error":"forbidden","message":"needs the admin role"}""", ExitCodes.Unauthorized, "Forbidden")]
    [InlineData(HttpStatusCode.Unauthorized, """{"error":"unauthorized","message":"unknown token"}""", ExitCodes.Unauthorized, "refused the token")]
    public async Task Cluster_down_maps_the_daemons_refusals_to_exit_codes(HttpStatusCode status, string answer, int exitCode, string message)
    {
        var daemon = new CannedDaemon().Answer(HttpMethod.Post, "/api/cluster/down", status, answer);

        var run = await daemon.RunAsync("cluster", "down", "10.0.0.9:4061");

        Assert.Equal(exitCode, run.ExitCode);
        Assert.Contains(message, run.Error);
        Assert.DoesNotContain("marked down", run.Output);
    }

    [Fact]
    public async Task Actors_tree_shows_the_singleton_under_its_manager_with_restart_counts()
    {
        const string Actors = """
            {
              "node": "autopilot-2",
              "actors": [
                { "path": "akka.tcp://autopilotd@10.0.0.2:4061/user/handover", "name": "handover", "actorType": "ClusterSingletonManager", "status": "running", "state": null, "restartCount": 0, "mailboxDepth": 0, "children": [] },
                { "path": "akka.tcp://autopilotd@10.0.0.2:4061/user/orchestrator", "name": "orchestrator", "actorType": "ClusterSingletonManager", "status": "running", "state": null, "restartCount": 0, "mailboxDepth": 0,
                  "children": [
                    { "path": "akka.tcp://autopilotd@10.0.0.2:4061/user/orchestrator/orchestrator", "name": "orchestrator", "actorType": "OrchestratorActor", "status": "running", "state": null, "restartCount": 2, "mailboxDepth": 1, "children": [] }
                  ] },
                { "path": "akka.tcp://autopilotd@10.0.0.2:4061/user/orchestrator-proxy", "name": "orchestrator-proxy", "actorType": "ClusterSingletonProxy", "status": "running", "state": null, "restartCount": 0, "mailboxDepth": 0, "children": [] }
              ]
            }
            """;
        var daemon = new CannedDaemon().Answer(HttpMethod.Get, "/api/actors", HttpStatusCode.OK, Actors);

        var tree = await daemon.RunAsync("actors", "tree");
        var stats = await daemon.RunAsync("actors", "stats");
        var json = await daemon.RunAsync("actors", "tree", "--json");

        Assert.Equal((ExitCodes.Ok, ExitCodes.Ok, ExitCodes.Ok), (tree.ExitCode, stats.ExitCode, json.ExitCode));
        var lines = tree.Output.Split('\n');
        var manager = Array.FindIndex(lines, l => l.Contains("orchestrator ClusterSingletonManager running restarts=0", StringComparison.Ordinal));
        var singleton = Array.FindIndex(lines, l => l.Contains("orchestrator OrchestratorActor running restarts=2 mailbox=1", StringComparison.Ordinal));
        Assert.True(manager >= 0 && singleton == manager + 1, tree.Output);
        Assert.True(lines[singleton].IndexOf("orchestrator", StringComparison.Ordinal) > lines[manager].IndexOf("orchestrator", StringComparison.Ordinal),
            "the singleton is drawn under its manager");
        Assert.Contains("orchestrator-proxy ClusterSingletonProxy", tree.Output);
        Assert.Contains("autopilot-2", lines[0]);
        Assert.Contains(stats.Output.Split('\n'), l => l.Contains("/user/orchestrator/orchestrator", StringComparison.Ordinal) && l.Contains(" 2 ", StringComparison.Ordinal));
        Assert.Equal("orchestrator", JsonDocument.Parse(json.Output).RootElement.GetProperty("actors")[1].GetProperty("children")[0].GetProperty("name").GetString());
    }
}
