using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Hosting;
using Autopilot.Daemon.Intake;
using Autopilot.Daemon.Runtime;
using Autopilot.Daemon.Simulation;
using Autopilot.Daemon.Tests.Fixtures;
using Autopilot.Platforms.GitHub;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Autopilot.Daemon.Tests.Http;

/// <summary>The edge items of issue 18 (8, 9, 10, 13, 14 and the recovery of item 4), each with the test that would have caught it.</summary>
public sealed class EdgeHardeningTests
{
    private static HttpRequestMessage Railway(string? token, string body = """{"type":"DEPLOY","status":"FAILED"}""", string? delivery = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/railway") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            request.Headers.Add("X-Autopilot-Token", token);
        }

        if (delivery is not null)
        {
            request.Headers.Add("X-Autopilot-Delivery", delivery);
        }

        return request;
    }

    // Item 8: 150 different invalid tokens were 150 x 401, never 429.
    [Fact]
    public async Task Invalid_tokens_are_throttled_by_client_address_not_by_the_presented_token()
    {
        await using var daemon = await TestDaemon.StartAsync(extraHocon: "autopilot.http.rate-limit { permits = 1000, window = 1h, failed-auth-permits = 5 }");

        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 150; i++)
        {
            codes.Add((await daemon.SendAsync(HttpMethod.Get, "/api/status", $"invented-token-{i:D4}-0123456789")).StatusCode);
        }

        var validFromTheSameClient = await daemon.SendAsync(HttpMethod.Get, "/api/status", TestDaemon.ViewerToken);

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 5), codes.Take(5));
        Assert.All(codes.Skip(5), code => Assert.Equal(HttpStatusCode.TooManyRequests, code));
        // A client that keeps failing is refused before its token is looked at, whatever it presents now.
        Assert.Equal(HttpStatusCode.TooManyRequests, validFromTheSameClient.StatusCode);
        Assert.True(validFromTheSameClient.Headers.Contains("Retry-After"));
    }

    // Item 8: authenticated requests keep a budget per token, and failures of others do not spend it.
    [Fact]
    public async Task An_authenticated_token_has_its_own_budget_that_failures_do_not_spend()
    {
        await using var daemon = await TestDaemon.StartAsync(extraHocon: "autopilot.http.rate-limit { permits = 3, window = 1h, failed-auth-permits = 100 }");

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await daemon.SendAsync(HttpMethod.Get, "/api/status", $"wrong-{i}")).StatusCode);
        }

        var viewer = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            viewer.Add((await daemon.SendAsync(HttpMethod.Get, "/api/status", TestDaemon.ViewerToken)).StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], viewer);
        Assert.Equal(HttpStatusCode.OK, (await daemon.SendAsync(HttpMethod.Get, "/api/status", TestDaemon.AdminToken)).StatusCode);
    }

    // Item 9: every bad signature was a journal event; now one event per source and window, plus one with the count.
    [Fact]
    public async Task Repeated_rejections_from_one_source_are_folded_into_one_event_with_a_count()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var daemon = await TestDaemon.StartAsync(
            extraHocon: "autopilot.http.rate-limit { failed-auth-permits = 1000, webhook-permits = 1000, window = 1h }\nautopilot.http.security-events.fold-window = 1m",
            time: time);

        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await daemon.Client.SendAsync(Railway($"wrong-{i}"))).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await daemon.Client.SendAsync(Railway(null))).StatusCode);

        var journal = (await daemon.EventsAsync(WebhookIntake.StreamId)).OfType<SecurityEventRecorded>().ToList();
        // One per (client, endpoint, reason): the 40 wrong tokens and the missing one.
        Assert.Equal(["webhook-token-invalid", "webhook-token-missing"], journal.Select(e => e.Kind).Order().ToArray());

        // The window ends: its 39 repeats become ONE event with their count, and nothing else is written.
        time.Advance(TimeSpan.FromMinutes(2));
        List<SecurityEventRecorded> after = [];
        await Poll.UntilAsync(() =>
        {
            after = daemon.EventsAsync(WebhookIntake.StreamId).GetAwaiter().GetResult().OfType<SecurityEventRecorded>().ToList();
            return after.Count >= 3;
        }, "the folded count to be journaled");
        var folded = Assert.Single(after.Skip(2));
        Assert.Equal("webhook-token-invalid", folded.Kind);
        Assert.Equal("webhooks/railway", folded.Source);
        Assert.Contains("repeated 39 more times", folded.Detail);
        Assert.Equal(0, daemon.App.Services.GetRequiredService<Autopilot.Daemon.Http.Webhooks.SecurityEventFolder>().OpenFolds);

        // A new window starts with an event of its own again.
        Assert.Equal(HttpStatusCode.Unauthorized, (await daemon.Client.SendAsync(Railway("wrong-again"))).StatusCode);
        Assert.Equal(4, (await daemon.EventsAsync(WebhookIntake.StreamId)).OfType<SecurityEventRecorded>().Count());
    }

    // Item 9: webhooks had no rate limit at all.
    [Fact]
    public async Task A_client_that_keeps_failing_on_webhooks_gets_429_before_any_work_and_valid_deliveries_from_it_too()
    {
        await using var daemon = await TestDaemon.StartAsync(extraHocon: "autopilot.http.rate-limit { failed-auth-permits = 3, webhook-permits = 1000, window = 1h }");
        const string body = """{"zen":"x"}""";

        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github") { Content = new StringContent(body) };
            request.Headers.Add("X-GitHub-Event", "ping");
            request.Headers.Add(GitHubWebhookSignature.HeaderName, "sha256=" + new string('0', 64));
            codes.Add((await daemon.Client.SendAsync(request)).StatusCode);
        }

        var valid = await daemon.Client.SendAsync(Railway(TestDaemon.RailwaySecret, delivery: "after-lockout"));

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 3), codes.Take(3));
        Assert.All(codes.Skip(3), code => Assert.Equal(HttpStatusCode.TooManyRequests, code));
        Assert.Equal(HttpStatusCode.TooManyRequests, valid.StatusCode);
        var journal = await daemon.EventsAsync(WebhookIntake.StreamId);
        Assert.DoesNotContain(journal, e => e is DeliveryStored);
        // Bounded: the first rejection, and the first throttled request of each endpoint (their repeats are only counted).
        Assert.True(journal.Count <= 3, $"{journal.Count} journal events for 11 rejected requests");
    }

    [Fact]
    public async Task Webhooks_are_capped_per_client()
    {
        await using var daemon = await TestDaemon.StartAsync(extraHocon: "autopilot.http.rate-limit { webhook-permits = 5, window = 1h }");

        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            codes.Add((await daemon.Client.SendAsync(Railway(TestDaemon.RailwaySecret, $$"""{"type":"DEPLOY","n":{{i}}}"""))).StatusCode);
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Accepted, 5), codes.Take(5));
        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], codes.Skip(5));
        Assert.Equal(5, (await daemon.EventsAsync(WebhookIntake.StreamId)).OfType<DeliveryStored>().Count());
    }

    // Item 10: since/until must never reach a configuration parser.
    [Theory]
    [InlineData("${?HOME}")]
    [InlineData("${HOME}")]
    [InlineData("include required(file(\"/etc/passwd\"))")]
    [InlineData("include \"/etc/hosts\"")]
    [InlineData("file(/etc/hosts)")]
    [InlineData("15m ${?PATH}")]
    [InlineData("{ a = 1 }")]
    [InlineData("infinite")]
    [InlineData("-5m")]
    [InlineData("1.5h")]
    [InlineData("1e3s")]
    [InlineData("1 hour")]
    [InlineData("Tuesday")]
    [InlineData("01/02/2024")]
    [InlineData("2024-13-01")]
    [InlineData("9999999999d")]
    public async Task Audit_since_and_until_refuse_anything_but_a_duration_or_an_iso_time(string value)
    {
        await using var daemon = await TestDaemon.StartAsync();

        var since = await daemon.SendAsync(HttpMethod.Get, $"/api/audit?since={Uri.EscapeDataString(value)}", TestDaemon.ViewerToken);
        var until = await daemon.SendAsync(HttpMethod.Get, $"/api/audit?until={Uri.EscapeDataString(value)}", TestDaemon.ViewerToken);

        Assert.Equal(HttpStatusCode.BadRequest, since.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, until.StatusCode);
        Assert.Equal("bad_request", JsonDocument.Parse(await since.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("90s")]
    [InlineData("15m")]
    [InlineData("2h")]
    [InlineData("7d")]
    [InlineData("2w")]
    [InlineData("2024-05-01")]
    [InlineData("2024-05-01T10:00:00Z")]
    [InlineData("2024-05-01T10:00:00.123+02:00")]
    public async Task Audit_since_and_until_accept_durations_and_iso_times(string value)
    {
        await using var daemon = await TestDaemon.StartAsync();

        var response = await daemon.SendAsync(HttpMethod.Get, $"/api/audit?since={Uri.EscapeDataString(value)}", TestDaemon.ViewerToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    // Item 13: the chat id was unmasked in /health and config show; /health said what was configured.
    [Fact]
    public async Task Health_says_up_or_down_only_and_the_telegram_chat_id_is_masked_wherever_configuration_is_shown()
    {
        const string chat = "-100987654321";
        const string agentsChat = "-100123123123";
        await using var daemon = await TestDaemon.StartAsync(extraHocon: $$"""
            autopilot.platforms.telegram { bot-token = "123456:telegram-bot-token-value", chat-id = "{{chat}}" }
            autopilot.agents.alerts.telegram.chat = "{{agentsChat}}"
            """);

        var health = await daemon.Client.GetAsync("/health");
        var publicText = await health.Content.ReadAsStringAsync();
        var detailed = await daemon.SendAsync(HttpMethod.Get, "/api/health", TestDaemon.ViewerToken);
        var detailedText = await detailed.Content.ReadAsStringAsync();
        var unauthenticatedDetails = await daemon.SendAsync(HttpMethod.Get, "/api/health", null);
        var config = await (await daemon.SendAsync(HttpMethod.Get, "/api/config", TestDaemon.ViewerToken)).Content.ReadAsStringAsync();
        var status = await (await daemon.SendAsync(HttpMethod.Get, "/api/status", TestDaemon.ViewerToken)).Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var report = JsonDocument.Parse(publicText).RootElement;
        // selfWatch: the names of the self-watch conditions holding (none here), nothing about configuration.
        Assert.Equal(["components", "selfWatch", "status"], report.EnumerateObject().Select(p => p.Name).Order().ToArray());
        Assert.Equal("up", report.GetProperty("status").GetString());
        Assert.All(report.GetProperty("components").EnumerateObject(), c => Assert.Equal("up", c.Value.GetString()));
        Assert.Empty(report.GetProperty("selfWatch").EnumerateArray());
        foreach (var leak in new[] { chat, agentsChat, "configured", "telegram", "autopilot-1", "inmem", "platform" })
        {
            Assert.DoesNotContain(leak, publicText, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticatedDetails.StatusCode);
        Assert.Equal(HttpStatusCode.OK, detailed.StatusCode);
        var platforms = JsonDocument.Parse(detailedText).RootElement.GetProperty("platforms").EnumerateArray()
            .ToDictionary(p => p.GetProperty("platform").GetString()!, p => p.GetProperty("status").GetString());
        Assert.Equal("configured", platforms["telegram"]);
        Assert.Equal("not configured", platforms["github"]);
        foreach (var text in new[] { detailedText, config, status })
        {
            Assert.DoesNotContain(chat, text);
            Assert.DoesNotContain(agentsChat, text);
        }

        var hocon = JsonDocument.Parse(config).RootElement.GetProperty("hocon").GetString()!;
        Assert.Matches("\"?chat-id\"? = \"\\*\\*\\*\"", hocon);
        Assert.Matches("\"?chat\"? = \"\\*\\*\\*\"", hocon);
    }

    // Item 14: invalid UTF-8 in a JSON body was accepted.
    [Fact]
    public async Task Invalid_utf8_in_a_json_body_is_a_400_and_nothing_is_journaled()
    {
        await using var daemon = await TestDaemon.StartAsync();
        byte[] body = [.. Encoding.UTF8.GetBytes("""{"type":"DEPLOY","name":" """), 0xC3, 0x28, 0xFF, .. Encoding.UTF8.GetBytes("\"}")];
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/railway") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Autopilot-Token", TestDaemon.RailwaySecret);

        var response = await daemon.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("UTF-8", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain(await daemon.EventsAsync(WebhookIntake.StreamId), e => e is DeliveryStored);
    }

    // Item 14: the simulation's webhook secrets were never printed, and the CLI command lacked --host.
    [Fact]
    public async Task The_simulate_banner_prints_a_curl_example_that_works_and_the_cli_command_names_a_non_default_host()
    {
        var workDir = Directory.CreateTempSubdirectory("autopilot-banner-test").FullName;
        await using var simulation = await SimulatedPlatforms.StartAsync(TimeProvider.System);
        var app = DaemonHost.Build(new DaemonHostOptions
        {
            Overrides = "autopilot.http.port = 0\nautopilot.persistence.journal.plugin = inmem\n" + simulation.Overrides,
            EnvironmentVariables = _ => null,
            WorkingDirectory = workDir,
            OrchestratorFactory = TestDaemon.Fake(new System.Collections.Concurrent.ConcurrentQueue<object>()),
            LogOutput = TextWriter.Null,
        });
        try
        {
            await using (app)
            {
                await app.StartAsync();
                var runtime = app.Services.GetRequiredService<DaemonRuntime>();
                await Poll.UntilAsync(() => runtime.IsReady, "the daemon to be ready", TimeSpan.FromSeconds(60));
                var address = SimulationBanner.AddressOf(app.Urls);
                var banner = string.Join("\n", SimulationBanner.Lines(simulation, address));

                Assert.Contains($"--host 127.0.0.1:{address.Port} audit tail -f", banner);
                Assert.Contains(simulation.SessionToken, banner);
                Assert.Contains(simulation.WebhookSecret, banner);
                var curl = Regex.Match(banner, @"curl -i -X POST (?<url>\S+) -H 'X-Autopilot-Token: (?<token>[^']+)' -H 'Content-Type: application/json' -d '(?<body>[^']+)'");
                Assert.True(curl.Success, banner);
                using var client = new HttpClient();
                var request = new HttpRequestMessage(HttpMethod.Post, curl.Groups["url"].Value)
                {
                    Content = new StringContent(curl.Groups["body"].Value, Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("X-Autopilot-Token", curl.Groups["token"].Value);
                Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(request)).StatusCode);
                await app.StopAsync();
            }
        }
        finally
        {
            Directory.Delete(workDir, recursive: true);
        }

        var atDefault = string.Join("\n", SimulationBanner.Lines(simulation, new Uri("http://127.0.0.1:9110")));
        Assert.Contains("-- audit tail -f", atDefault);
        Assert.DoesNotContain("--host", atDefault);
        Assert.Contains("curl -i -X POST http://127.0.0.1:9110/webhooks/railway", atDefault);
        Assert.Contains("--host 127.0.0.1:8080 ", string.Join("\n", SimulationBanner.Lines(simulation, SimulationBanner.AddressOf(["http://0.0.0.0:8080"]))));
    }

    // Item 4: /ready and /health stayed failed after a journal fault until the next write, which a load balancer never sends.
    [Fact]
    public async Task Ready_and_health_go_503_while_the_journal_is_locked_and_recover_without_any_write()
    {
        var dataDir = Directory.CreateTempSubdirectory("autopilot-probe-test").FullName;
        try
        {
            await using var daemon = await TestDaemon.StartAsync(extraHocon: "autopilot.persistence.journal.plugin = sqlite", dataDir: dataDir);
            Assert.Equal(HttpStatusCode.OK, (await daemon.Client.GetAsync("/ready")).StatusCode);

            // Another process holds SQLite's write lock (what the issue reproduced): nothing the daemon writes can commit.
            await using (var other = new SqliteConnection($"Data Source={Path.Combine(dataDir, "autopilot.db")};Pooling=False"))
            {
                await other.OpenAsync();
                await using (var begin = other.CreateCommand())
                {
                    begin.CommandText = "BEGIN EXCLUSIVE;";
                    await begin.ExecuteNonQueryAsync();
                }

                await Poll.UntilAsync(() => daemon.Client.GetAsync("/ready").GetAwaiter().GetResult().StatusCode == HttpStatusCode.ServiceUnavailable,
                    "/ready to fail while the journal is locked", TimeSpan.FromSeconds(60));
                var health = await daemon.Client.GetAsync("/health");
                Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
                var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement;
                Assert.Equal("down", report.GetProperty("status").GetString());
                Assert.Equal("down", report.GetProperty("components").GetProperty("journal").GetString());

                await using var rollback = other.CreateCommand();
                rollback.CommandText = "ROLLBACK;";
                await rollback.ExecuteNonQueryAsync();
            }

            // Only probes in between: no webhook, no command, nothing that writes.
            await Poll.UntilAsync(() => daemon.Client.GetAsync("/ready").GetAwaiter().GetResult().StatusCode == HttpStatusCode.OK,
                "/ready to recover on its own", TimeSpan.FromSeconds(60));
            Assert.Equal(HttpStatusCode.OK, (await daemon.Client.GetAsync("/health")).StatusCode);
            Assert.Empty(await daemon.EventsAsync(WebhookIntake.StreamId));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
