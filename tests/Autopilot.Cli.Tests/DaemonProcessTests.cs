using System.Net;
using System.Text;
using System.Text.Json;
using Autopilot.Cli;
using Autopilot.Daemon.Tests.Fixtures;
using Autopilot.Platforms.GitHub;
using Autopilot.Testing.PostgreSql;

namespace Autopilot.Cli.Tests;

/// <summary>The real thing: <c>autopilotd</c> as its own process, configured only through the environment, driven by the CLI.</summary>
public sealed class DaemonProcessTests(ThrowawayPostgres server) : IClassFixture<ThrowawayPostgres>
{
    private const string Token = "process-test-admin-token-0123456789";
    private const string WebhookSecret = "process-test-github-webhook-secret";

    [Fact]
    public async Task A_daemon_process_with_no_configuration_file_serves_the_cli_and_stops_cleanly_on_sigterm()
    {
        using var daemon = await DaemonProcess.StartAsync(new Dictionary<string, string> { ["AUTOPILOT_ADMIN_TOKEN"] = Token });

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
        // The coordinated shutdown ran (intake closed first), not just a killed process.
        Assert.Contains(daemon.Log, line => line.Contains("Webhook intake closed", StringComparison.Ordinal));
        Assert.DoesNotContain(daemon.Log, line => line.Contains(Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_daemon_process_on_the_postgresql_journal_serves_the_cli_keeps_deliveries_across_a_restart_and_never_logs_the_password()
    {
        var db = await server.CreateDatabaseAsync("process_single_node");
        var environment = new Dictionary<string, string>
        {
            ["AUTOPILOT_ADMIN_TOKEN"] = Token,
            ["AUTOPILOT_JOURNAL_PLUGIN"] = "postgresql",
            ["AUTOPILOT_POSTGRES_CONNECTION_STRING"] = db,
            ["GITHUB_WEBHOOK_SECRET"] = WebhookSecret,
        };
        var directory = Path.Combine(Path.GetTempPath(), "autopilot-process-tests", Guid.NewGuid().ToString("N"));
        try
        {
            using (var first = await DaemonProcess.StartAsync(environment, directory))
            {
                var health = JsonDocument.Parse((await first.RunAsync(Token, "health", "--json")).Output).RootElement;
                Assert.Equal("healthy", health.GetProperty("journal").GetProperty("status").GetString());
                Assert.Equal("postgresql", health.GetProperty("journal").GetProperty("detail").GetString());
                Assert.Equal(HttpStatusCode.Accepted, (await first.Client.SendAsync(Delivery("pg-before-restart"))).StatusCode);
                Assert.Equal(ExitCodes.Ok, (await first.RunAsync(Token, "pause")).ExitCode);

                first.Signal(15);

                Assert.Equal(0, await first.ExitedAsync());
                Assert.DoesNotContain(first.Log, line => line.Contains(server.Password, StringComparison.Ordinal));
                Assert.DoesNotContain(first.Log, line => line.Contains(Token, StringComparison.Ordinal));
            }

            using var second = await DaemonProcess.StartAsync(environment, directory);
            var replay = await second.Client.SendAsync(Delivery("pg-before-restart"));
            var audit = await second.RunAsync(Token, "audit", "query", "--phase", "mode", "--json");

            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
            Assert.Equal("duplicate", JsonDocument.Parse(await replay.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
            Assert.Contains(JsonDocument.Parse(audit.Output).RootElement.EnumerateArray(),
                r => r.GetProperty("event").GetProperty("change").GetString() == "paused");
            Assert.False(File.Exists(Path.Combine(directory, "data", "autopilot.db")), "the PostgreSQL journal must not create the SQLite file");
            second.Signal(15);
            Assert.Equal(0, await second.ExitedAsync());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static HttpRequestMessage Delivery(string id)
    {
        var body = $$"""{"zen":"keep it logically awesome","id":"{{id}}"}""";
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-GitHub-Event", "ping");
        request.Headers.Add("X-GitHub-Delivery", id);
        request.Headers.Add(GitHubWebhookSignature.HeaderName, GitHubWebhookSignature.Compute(WebhookSecret, Encoding.UTF8.GetBytes(body)));
        return request;
    }
}
