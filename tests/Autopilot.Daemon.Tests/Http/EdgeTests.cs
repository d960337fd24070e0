using System.Net;
using System.Text;
using System.Text.Json;
using Autopilot.Daemon.Tests.Fixtures;
using Autopilot.Platforms.GitHub;

namespace Autopilot.Daemon.Tests.Http;

public sealed class EdgeTests
{
    [Fact]
    public async Task Health_reports_each_component_and_platforms_without_credentials_as_not_configured()
    {
        await using var daemon = await TestDaemon.StartAsync();

        // The details are for authenticated callers (/api/health); the public /health only says up or down.
        var response = await daemon.SendAsync(HttpMethod.Get, "/api/health", TestDaemon.ViewerToken);
        var ready = await daemon.Client.GetAsync("/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        Assert.Equal("healthy", health.GetProperty("journal").GetProperty("status").GetString());
        Assert.Equal("running", health.GetProperty("actorSystem").GetProperty("status").GetString());
        Assert.Equal("running", health.GetProperty("orchestrator").GetProperty("status").GetString());
        var platforms = health.GetProperty("platforms").EnumerateArray().ToDictionary(p => p.GetProperty("platform").GetString()!, p => p.GetProperty("status").GetString());
        Assert.Equal("configured", platforms["railway"]);
        Assert.Equal("not configured", platforms["github"]);
        Assert.Equal("not configured", platforms["telegram"]);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Metrics_are_in_prometheus_text_format_and_count_what_happened()
    {
        await using var daemon = await TestDaemon.StartAsync();
        const string body = """{"zen":"ok"}""";
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github") { Content = new StringContent(body) };
        request.Headers.Add("X-GitHub-Event", "ping");
        request.Headers.Add("X-GitHub-Delivery", "m-1");
        request.Headers.Add(GitHubWebhookSignature.HeaderName, GitHubWebhookSignature.Compute(TestDaemon.GitHubSecret, Encoding.UTF8.GetBytes(body)));
        await daemon.Client.SendAsync(request);
        await daemon.Client.PostAsync("/webhooks/n8n", new StringContent("{}"));

        var response = await daemon.Client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.ToString());
        Assert.Contains("# TYPE autopilot_webhooks_total counter", text);
        Assert.Contains("autopilot_webhooks_total{outcome=\"accepted\",source=\"github\"} 1", text);
        Assert.Contains("autopilot_webhooks_total{outcome=\"unauthorized\",source=\"n8n\"} 1", text);
        Assert.Contains("# TYPE autopilot_persist_latency_seconds histogram", text);
        Assert.Contains("autopilot_persist_latency_seconds_bucket{outcome=\"committed\",le=\"+Inf\"}", text);
        Assert.Contains("autopilot_mailbox_depth{actor=\"/user/orchestrator\"}", text);
        Assert.Contains("autopilot_actor_restarts_total{actor=\"/user/intake/webhook-intake\"} 0", text);
    }

    [Fact]
    public async Task Metrics_come_from_prometheus_net_with_the_product_series_and_http_request_metrics()
    {
        await using var daemon = await TestDaemon.StartAsync();
        await daemon.Client.GetAsync("/health");
        await daemon.Client.PostAsync($"/webhooks/railway?token={TestDaemon.RailwaySecret}", new StringContent("""{"type":"DEPLOY"}"""));
        await daemon.Client.PostAsync($"/webhooks/n8n?token={TestDaemon.GitHubSecret}", new StringContent("{}"));
        await daemon.SendAsync(HttpMethod.Get, "/api/status", TestDaemon.AdminToken);

        var response = await daemon.Client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        foreach (var series in new[]
                 {
                     "autopilot_webhooks_total", "autopilot_persist_latency_seconds", "autopilot_mailbox_depth", "autopilot_actor_restarts_total",
                     "autopilot_messages_processed_total", "autopilot_actions_total", "autopilot_alerts_sent_total", "autopilot_platform_call_duration_seconds",
                 })
        {
            Assert.Contains($"# HELP {series} ", text);
        }

        Assert.Contains("autopilot_webhooks_total{outcome=\"accepted\",source=\"railway\"} 1", text);
        Assert.Contains("autopilot_webhooks_total{outcome=\"unauthorized\",source=\"n8n\"} 1", text);
        // prometheus-net.AspNetCore's HTTP metrics, labelled by route (never the path with its query string).
        Assert.Contains("# TYPE http_request_duration_seconds histogram", text);
        Assert.Contains("# TYPE http_requests_received_total counter", text);
        Assert.Contains("# TYPE http_requests_in_progress gauge", text);
        Assert.Matches("http_requests_received_total\\{code=\"202\",method=\"POST\",[^}]*endpoint=\"/webhooks/railway\"[^}]*\\} 1", text);
        Assert.Matches("http_requests_received_total\\{code=\"200\",method=\"GET\",[^}]*endpoint=\"/health\"[^}]*\\} 1", text);
        Assert.DoesNotContain(TestDaemon.RailwaySecret, text);
        Assert.DoesNotContain(TestDaemon.GitHubSecret, text);
        Assert.DoesNotContain(TestDaemon.AdminToken, text);
        Assert.DoesNotContain("token=", text);
    }

    [Fact]
    public async Task Actions_and_alerts_are_counted_from_the_audit_trail()
    {
        await using var daemon = await TestDaemon.StartAsync();

        await daemon.SendAsync(HttpMethod.Post, "/api/drills/deployment-failed", TestDaemon.OperatorToken);

        string text = "";
        await Poll.UntilAsync(() =>
        {
            text = daemon.Client.GetStringAsync("/metrics").GetAwaiter().GetResult();
            return text.Contains("autopilot_alerts_sent_total{severity=\"warning\"} 1");
        }, "the alert to be counted");
        Assert.Contains("autopilot_actions_total{result=\"success\",worker=\"railway\"} 1", text);
    }

    [Fact]
    public async Task The_admin_api_is_rate_limited_per_token()
    {
        await using var daemon = await TestDaemon.StartAsync(extraHocon: "autopilot.http.rate-limit { permits = 3, window = 1h }");

        var viewer = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            viewer.Add((await daemon.SendAsync(HttpMethod.Get, "/api/status", TestDaemon.ViewerToken)).StatusCode);
        }

        var admin = await daemon.SendAsync(HttpMethod.Get, "/api/status", TestDaemon.AdminToken);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], viewer);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Fact]
    public async Task The_audit_stream_delivers_new_events_as_server_sent_events()
    {
        await using var daemon = await TestDaemon.StartAsync(kestrel: true);
        using var streamRequest = daemon.Request(HttpMethod.Get, "/api/audit/stream?tag=autopilot", TestDaemon.ViewerToken);
        using var response = await daemon.Client.SendAsync(streamRequest, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal(": audit stream", await reader.ReadLineAsync());

        await daemon.SendAsync(HttpMethod.Post, "/api/pause", TestDaemon.OperatorToken);

        string? line;
        var lines = new List<string>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((line = await reader.ReadLineAsync(deadline.Token)) is not null && !line.StartsWith("data:", StringComparison.Ordinal))
        {
            lines.Add(line);
        }

        Assert.Contains("event: audit", lines);
        Assert.Contains(lines, l => l.StartsWith("id: ", StringComparison.Ordinal));
        var record = JsonDocument.Parse(line!["data:".Length..]).RootElement;
        Assert.Equal("autopilot.mode_changed", record.GetProperty("type").GetString());
        Assert.Equal("paused", record.GetProperty("event").GetProperty("change").GetString());
    }

    [Fact]
    public async Task The_audit_stream_needs_a_token()
    {
        await using var daemon = await TestDaemon.StartAsync();

        using var response = await daemon.Client.SendAsync(daemon.Request(HttpMethod.Get, "/api/audit/stream", null), HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_stop_closes_intake_stops_the_tree_and_closes_the_journal()
    {
        var daemon = await TestDaemon.StartAsync(kestrel: true);
        var runtime = daemon.Runtime;
        var system = daemon.System;
        Assert.True(runtime.IsReady);

        await daemon.DisposeAsync();

        Assert.False(runtime.IsReady);
        Assert.Null(runtime.Intake);
        // The journal and snapshot store are actors of the system: it terminated after the stop sequence's last phase.
        Assert.True(system.WhenTerminated.IsCompleted);
    }

    [Fact]
    public async Task With_only_a_port_given_it_starts_on_sqlite_and_creates_its_data_directory()
    {
        var workDir = Path.Combine(Path.GetTempPath(), "autopilot-daemon-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(workDir);
        try
        {
            var app = Autopilot.Daemon.Hosting.DaemonHost.Build(new Autopilot.Daemon.Hosting.DaemonHostOptions
            {
                Overrides = "autopilot.http.port = 0",
                EnvironmentVariables = _ => null,
                WorkingDirectory = workDir,
                OrchestratorFactory = TestDaemon.Fake(new System.Collections.Concurrent.ConcurrentQueue<object>()),
                LogOutput = TextWriter.Null,
            });
            await using (app)
            {
                await app.StartAsync();
                var runtime = (Autopilot.Daemon.Runtime.DaemonRuntime)app.Services.GetService(typeof(Autopilot.Daemon.Runtime.DaemonRuntime))!;
                await runtime.Started.WaitAsync(TimeSpan.FromSeconds(60));
                var address = app.Urls.Single();
                using var client = new HttpClient { BaseAddress = new Uri(address) };

                await Poll.UntilAsync(() => runtime.IsReady, "the daemon to be ready", TimeSpan.FromSeconds(60));
                var health = JsonDocument.Parse(await client.GetStringAsync("/health")).RootElement;

                Assert.StartsWith("http://127.0.0.1:", address);
                Assert.Equal("sqlite", runtime.Settings.Journal.Plugin);
                Assert.Equal("up", health.GetProperty("components").GetProperty("journal").GetString());
                Assert.True(File.Exists(Path.Combine(workDir, "data", "autopilot.db")));
                Assert.All(runtime.Settings.Platforms.Statuses, p => Assert.False(p.Configured));
                Assert.False(health.TryGetProperty("platforms", out _));
                var unauthenticated = await client.GetAsync("/api/status");
                Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
                await app.StopAsync();
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(workDir, recursive: true);
        }
    }
}
