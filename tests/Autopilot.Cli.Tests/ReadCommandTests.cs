using System.Text.Json;
using Autopilot.Cli;
using Autopilot.Daemon.Tests.Fixtures;

namespace Autopilot.Cli.Tests;

public sealed class ReadCommandTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    [Fact]
    public async Task Health_prints_each_component_and_platform()
    {
        var table = await fixture.RunAsync(TestDaemon.ViewerToken, "health");
        var json = await fixture.RunAsync(TestDaemon.ViewerToken, "health", "--json");

        Assert.Equal(ExitCodes.Ok, table.ExitCode);
        Assert.Contains("journal", table.Output);
        Assert.Contains("platform telegram", table.Output);
        Assert.Contains("not configured", table.Output);
        Assert.Equal(ExitCodes.Ok, json.ExitCode);
        Assert.Equal("healthy", JsonDocument.Parse(json.Output).RootElement.GetProperty("journal").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Health_without_a_token_shows_only_up_or_down_per_component()
    {
        var table = await fixture.RunAsync(null, "health");
        var json = await fixture.RunAsync(null, "health", "--json");

        Assert.Equal(ExitCodes.Ok, table.ExitCode);
        Assert.Contains("journal", table.Output);
        Assert.Contains("up", table.Output);
        Assert.DoesNotContain("platform", table.Output);
        Assert.DoesNotContain("configured", table.Output);
        Assert.Equal(ExitCodes.Ok, json.ExitCode);
        var report = JsonDocument.Parse(json.Output).RootElement;
        Assert.Equal("up", report.GetProperty("status").GetString());
        Assert.Equal("up", report.GetProperty("components").GetProperty("journal").GetString());
    }

    [Fact]
    public async Task On_a_single_node_cluster_show_says_so_and_leave_and_down_exit_with_the_not_clustered_code()
    {
        var table = await fixture.RunAsync(TestDaemon.ViewerToken, "cluster", "show");
        var json = await fixture.RunAsync(TestDaemon.ViewerToken, "cluster", "show", "--json");
        var leave = await fixture.RunAsync(TestDaemon.OperatorToken, "cluster", "leave");
        var leaveOther = await fixture.RunAsync(TestDaemon.OperatorToken, "cluster", "leave", "127.0.0.1:4062");
        var down = await fixture.RunAsync(TestDaemon.AdminToken, "cluster", "down", "127.0.0.1:4062");
        var downJson = await fixture.RunAsync(TestDaemon.AdminToken, "cluster", "down", "127.0.0.1:4062", "--json");

        Assert.Equal(ExitCodes.Ok, table.ExitCode);
        Assert.Contains("Single node:", table.Output);
        Assert.Contains("runs alone; clustering is off (autopilot.cluster.enabled = off)", table.Output);
        Assert.DoesNotContain("Leader:", table.Output);
        var report = JsonDocument.Parse(json.Output).RootElement;
        Assert.False(report.GetProperty("clustered").GetBoolean());
        var self = report.GetProperty("self").GetString()!;
        Assert.Contains(self, table.Output);
        var member = Assert.Single(report.GetProperty("members").EnumerateArray());
        Assert.Equal((self, "up"), (member.GetProperty("address").GetString(), member.GetProperty("status").GetString()));
        Assert.Equal(0, report.GetProperty("leases").GetArrayLength());

        Assert.Equal((ExitCodes.NotClustered, ExitCodes.NotClustered, ExitCodes.NotClustered, ExitCodes.NotClustered),
            (leave.ExitCode, leaveOther.ExitCode, down.ExitCode, downJson.ExitCode));
        Assert.Contains("Not clustered: This daemon runs as a single node", leave.Error);
        Assert.Contains("autopilot.cluster.enabled", down.Error);
        Assert.Equal("", leave.Output);
        Assert.Equal("not_clustered", JsonDocument.Parse(downJson.Output).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Cluster_leave_needs_an_operator_token_and_cluster_down_an_admin_token()
    {
        var leave = await fixture.RunAsync(TestDaemon.ViewerToken, "cluster", "leave");
        var down = await fixture.RunAsync(TestDaemon.OperatorToken, "cluster", "down", "127.0.0.1:4062");

        Assert.Equal((ExitCodes.Unauthorized, ExitCodes.Unauthorized), (leave.ExitCode, down.ExitCode));
        Assert.Contains("Forbidden", leave.Error);
        Assert.Contains("Forbidden", down.Error);
    }

    [Fact]
    public async Task Actors_tree_and_stats_show_the_live_hierarchy()
    {
        var tree = await fixture.RunAsync(TestDaemon.ViewerToken, "actors", "tree");
        var stats = await fixture.RunAsync(TestDaemon.ViewerToken, "actors", "stats");
        var json = await fixture.RunAsync(TestDaemon.ViewerToken, "actors", "stats", "--json");

        Assert.Equal(ExitCodes.Ok, tree.ExitCode);
        Assert.Contains("orchestrator FakeOrchestrator running restarts=0", tree.Output);
        Assert.Contains("webhook-intake WebhookIntake running", tree.Output);
        Assert.Contains("/user/intake/webhook-intake", stats.Output);
        Assert.Contains(JsonDocument.Parse(json.Output).RootElement.GetProperty("actors").EnumerateArray(), a => a.GetProperty("name").GetString() == "orchestrator");
    }

    [Fact]
    public async Task Audit_query_filters_and_prints_a_table_or_json()
    {
        Assert.Equal(ExitCodes.Ok, (await fixture.RunAsync(TestDaemon.OperatorToken, "pause")).ExitCode);
        Assert.Equal(ExitCodes.Ok, (await fixture.RunAsync(TestDaemon.OperatorToken, "resume")).ExitCode);

        var table = await fixture.RunAsync(TestDaemon.ViewerToken, "audit", "query", "--phase", "mode", "--since", "1h");
        var json = await fixture.RunAsync(TestDaemon.ViewerToken, "audit", "query", "--phase", "mode", "--json");
        var none = await fixture.RunAsync(TestDaemon.ViewerToken, "audit", "query", "--result", "failure", "--json");

        Assert.Equal(ExitCodes.Ok, table.ExitCode);
        Assert.Contains("autopilot.mode_changed", table.Output);
        Assert.Contains("change=paused", table.Output);
        var changes = JsonDocument.Parse(json.Output).RootElement.EnumerateArray().Select(r => r.GetProperty("event").GetProperty("change").GetString()).ToList();
        Assert.Contains("paused", changes);
        Assert.Contains("resumed", changes);
        Assert.Equal(0, JsonDocument.Parse(none.Output).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Audit_tail_follow_prints_events_as_they_are_recorded()
    {
        var output = new StringWriter();
        using var stop = new CancellationTokenSource();
        var environment = new Dictionary<string, string> { ["AUTOPILOT_HOST"] = fixture.Host, ["AUTOPILOT_TOKEN"] = TestDaemon.ViewerToken };
        var tail = AutopilotCli.RunAsync(["audit", "tail", "-f", "--tag", "autopilot", "--json", "-n", "0"],
            CliEnvironment.Captured(TextWriter.Synchronized(output), TextWriter.Null, n => environment.GetValueOrDefault(n)), stop.Token);

        // The follower may connect after a first change was recorded (-n 0 prints nothing from before it connected):
        // record changes until one is printed, instead of guessing how long the connection takes.
        for (var attempt = 0; !output.ToString().Contains("dry-run-on"); attempt++)
        {
            Assert.True(attempt < 30, "the followed event was never printed");
            Assert.False(tail.IsCompleted, $"audit tail -f ended early: {output}");
            await fixture.RunAsync(TestDaemon.OperatorToken, "dry-run", "on");
            var printed = DateTime.UtcNow + TimeSpan.FromSeconds(2);
            while (!output.ToString().Contains("dry-run-on") && DateTime.UtcNow < printed)
            {
                await Task.Delay(20);
            }
        }

        stop.Cancel();

        Assert.Equal(ExitCodes.Ok, await tail);
        var line = output.ToString().Split('\n').First(l => l.Contains("dry-run-on"));
        Assert.Equal("autopilot.mode_changed", JsonDocument.Parse(line).RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Audit_tail_prints_the_most_recent_events_oldest_first()
    {
        await fixture.RunAsync(TestDaemon.OperatorToken, "dry-run", "on");
        await fixture.RunAsync(TestDaemon.OperatorToken, "dry-run", "off");

        var tail = await fixture.RunAsync(TestDaemon.ViewerToken, "audit", "tail", "-n", "2", "--tag", "autopilot");
        var bad = await fixture.RunAsync(TestDaemon.ViewerToken, "audit", "tail", "-n", "-1");

        Assert.Equal(ExitCodes.Ok, tail.ExitCode);
        var lines = tail.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("change=dry-run-on", lines[0]);
        Assert.Contains("change=dry-run-off", lines[1]);
        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
    }

    [Fact]
    public async Task Deployments_and_incidents_print_tables()
    {
        var deployments = await fixture.RunAsync(TestDaemon.ViewerToken, "deployments", "--service", "demo-api");
        var incidents = await fixture.RunAsync(TestDaemon.ViewerToken, "incidents", "--open");
        var json = await fixture.RunAsync(TestDaemon.ViewerToken, "incidents", "--json");

        Assert.Equal(ExitCodes.Ok, deployments.ExitCode);
        Assert.Contains("dep-2", deployments.Output);
        Assert.Contains("CRASHED", deployments.Output);
        Assert.Contains("inc-1", incidents.Output);
        Assert.Contains("1 incident(s)", incidents.Output);
        Assert.Equal("inc-1", JsonDocument.Parse(json.Output).RootElement[0].GetProperty("incidentId").GetString());
    }

    [Fact]
    public async Task Secrets_check_and_config_show_never_print_secret_values()
    {
        var secrets = await fixture.RunAsync(TestDaemon.ViewerToken, "secrets", "check");
        var config = await fixture.RunAsync(TestDaemon.ViewerToken, "config", "show");

        Assert.Equal(ExitCodes.Ok, secrets.ExitCode);
        Assert.Contains("RAILWAY_API_TOKEN", secrets.Output);
        Assert.Contains("viewer", secrets.Output);
        Assert.Contains("\"***\"", config.Output);
        foreach (var secret in new[] { TestDaemon.RailwayApiToken, TestDaemon.GitHubSecret, TestDaemon.AdminToken })
        {
            Assert.DoesNotContain(secret, secrets.Output);
            Assert.DoesNotContain(secret, config.Output);
        }
    }
}
