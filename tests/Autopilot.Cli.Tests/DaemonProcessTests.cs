using System.Text.Json;
using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Cli;
using Autopilot.Daemon.Tests.Fixtures;

namespace Autopilot.Cli.Tests;

/// <summary>The real thing: <c>autopilotd</c> as its own process, configured only through the environment, driven by the CLI.</summary>
public sealed class DaemonProcessTests(ThrowawayPostgres server) : IClassFixture<ThrowawayPostgres>
{
    private const string Token = "process-test-admin-token-0123456789";

    [Fact]
    public async Task A_daemon_process_with_no_configuration_file_serves_the_cli_and_stops_cleanly_on_sigterm()
    {
        using var daemon = await DaemonProcess.StartAsync(new Dictionary<string, string> { ["AUTOPILOT_ADMIN_TOKEN"] = Token }, Token);

        var health = await daemon.RunAsync(Token, "health", "--json");
        var actors = await daemon.RunAsync(Token, "actors", "tree");
        var secrets = await daemon.RunAsync(Token, "secrets", "check");

        Assert.Equal(ExitCodes.Ok, health.ExitCode);
        var report = JsonDocument.Parse(health.Output).RootElement;
        Assert.All(report.GetProperty("platforms").EnumerateArray(), p => Assert.Equal("not configured", p.GetProperty("status").GetString()));
        Assert.Equal("healthy", report.GetProperty("journal").GetProperty("status").GetString());
        Assert.Equal("single node", report.GetProperty("cluster").GetProperty("status").GetString());
        Assert.Equal(ExitCodes.Ok, actors.ExitCode);
        Assert.Contains("orchestrator", actors.Output);
        Assert.Contains("autopilot.platforms.github.webhook-secret", secrets.Output);
        Assert.True(File.Exists(Path.Combine(daemon.Directory, "data", "autopilot.db")));

        daemon.Signal(15);

        Assert.Equal(0, await daemon.ExitedAsync());
        Assert.Contains(daemon.Log, line => line.Contains("Journal closed", StringComparison.Ordinal));
        Assert.DoesNotContain(daemon.Log, line => line.Contains(Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_clustered_daemon_process_exits_0_after_leaving_and_3_after_being_downed_and_its_restart_is_a_new_incarnation()
    {
        var db = await server.CreateDatabaseAsync("process_cluster");
        var environment = new Dictionary<string, string>
        {
            ["AUTOPILOT_ADMIN_TOKEN"] = Token,
            ["AUTOPILOT_NODE_NAME"] = "proc-1",
            ["AUTOPILOT_CLUSTER_ENABLED"] = "on",
            ["AUTOPILOT_JOURNAL_PLUGIN"] = "postgresql",
            ["AUTOPILOT_POSTGRES_CONNECTION_STRING"] = db,
        };

        using (var leaving = await DaemonProcess.StartAsync(environment, Token))
        {
            await Poll.UntilAsync(() => leaving.RunAsync(Token, "health", "--json").GetAwaiter().GetResult().Output.Contains("\"leader\""), "the node to lead", TimeSpan.FromSeconds(90));

            var leave = await leaving.RunAsync(Token, "cluster", "leave");

            Assert.Equal(ExitCodes.Ok, leave.ExitCode);
            Assert.Equal(0, await leaving.ExitedAsync());
            Assert.DoesNotContain(leaving.Log, line => line.Contains(server.Password, StringComparison.Ordinal));
        }

        using var downed = await DaemonProcess.StartAsync(environment, Token);
        await Poll.UntilAsync(() => downed.RunAsync(Token, "health", "--json").GetAwaiter().GetResult().Output.Contains("\"leader\""), "the node to lead again", TimeSpan.FromSeconds(90));
        var show = JsonDocument.Parse((await downed.RunAsync(Token, "cluster", "show", "--json")).Output).RootElement;
        Assert.Equal(2, show.GetProperty("members").EnumerateArray().Single().GetProperty("incarnation").GetInt64());

        var down = await downed.RunAsync(Token, "cluster", "down", "proc-1");

        Assert.Equal(ExitCodes.Ok, down.ExitCode);
        Assert.Equal(3, await downed.ExitedAsync());
        Assert.Contains(downed.Log, line => line.Contains("downed or superseded", StringComparison.Ordinal));
    }
}
