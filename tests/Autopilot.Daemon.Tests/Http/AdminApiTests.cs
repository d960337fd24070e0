using System.Net;
using System.Text.Json;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Tests.Fixtures;

namespace Autopilot.Daemon.Tests.Http;

public sealed class AdminApiTests : IAsyncLifetime
{
    private TestDaemon _daemon = null!;

    public async Task InitializeAsync() => _daemon = await TestDaemon.StartAsync();

    public async Task DisposeAsync() => await _daemon.DisposeAsync();

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    public static TheoryData<string> ReadPaths => new()
    {
        "/api/status", "/api/actors", "/api/audit", "/api/deployments", "/api/incidents", "/api/secrets/check", "/api/config",
    };

    [Theory]
    [MemberData(nameof(ReadPaths))]
    public async Task Read_endpoints_need_a_token_and_any_role_may_read(string path)
    {
        var anonymous = await _daemon.SendAsync(HttpMethod.Get, path, null);
        var unknown = await _daemon.SendAsync(HttpMethod.Get, path, "not-a-configured-token-000");
        var viewer = await _daemon.SendAsync(HttpMethod.Get, path, TestDaemon.ViewerToken);
        var admin = await _daemon.SendAsync(HttpMethod.Get, path, TestDaemon.AdminToken);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, viewer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Theory]
    [InlineData("/api/pause", "viewer", HttpStatusCode.Forbidden)]
    [InlineData("/api/pause", "operator", HttpStatusCode.OK)]
    [InlineData("/api/resume", "viewer", HttpStatusCode.Forbidden)]
    [InlineData("/api/resume", "operator", HttpStatusCode.OK)]
    [InlineData("/api/dry-run?enabled=true", "viewer", HttpStatusCode.Forbidden)]
    [InlineData("/api/dry-run?enabled=on", "operator", HttpStatusCode.OK)]
    [InlineData("/api/drills/deployment-failed", "viewer", HttpStatusCode.Forbidden)]
    [InlineData("/api/drills/deployment-failed", "operator", HttpStatusCode.OK)]
    [InlineData("/api/incidents/inc-1/ack", "viewer", HttpStatusCode.Forbidden)]
    [InlineData("/api/incidents/inc-1/ack", "operator", HttpStatusCode.OK)]
    [InlineData("/api/rollback/demo-api", "viewer", HttpStatusCode.Forbidden)]
    [InlineData("/api/rollback/demo-api", "operator", HttpStatusCode.Forbidden)]
    [InlineData("/api/rollback/demo-api", "admin", HttpStatusCode.OK)]
    [InlineData("/api/pause", "admin", HttpStatusCode.OK)]
    [InlineData("/api/migrations/app?dryRun=true", "viewer", HttpStatusCode.Forbidden)]
    [InlineData("/api/migrations/app?dryRun=true", "operator", HttpStatusCode.OK)]
    [InlineData("/api/migrations/app", "operator", HttpStatusCode.OK)]
    public async Task Commands_are_allowed_by_role(string path, string role, HttpStatusCode expected)
    {
        var token = role switch { "viewer" => TestDaemon.ViewerToken, "operator" => TestDaemon.OperatorToken, _ => TestDaemon.AdminToken };

        var response = await _daemon.SendAsync(HttpMethod.Post, path, token);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Forbidden)
        {
            Assert.Equal("forbidden", (await Json(response)).GetProperty("error").GetString());
            Assert.DoesNotContain(_daemon.Received, m => m is not GetOrchestratorStatus);
        }
        else
        {
            Assert.True((await Json(response)).GetProperty("accepted").GetBoolean());
        }
    }

    [Fact]
    public async Task Commands_reach_the_orchestrator_as_protocol_messages_naming_the_caller()
    {
        await _daemon.SendAsync(HttpMethod.Post, "/api/pause", TestDaemon.OperatorToken);
        await _daemon.SendAsync(HttpMethod.Post, "/api/dry-run?enabled=false", TestDaemon.OperatorToken);
        await _daemon.SendAsync(HttpMethod.Post, "/api/rollback/demo-api", TestDaemon.AdminToken);
        await _daemon.SendAsync(HttpMethod.Post, "/api/drills/n8n-failure", TestDaemon.OperatorToken);
        await _daemon.SendAsync(HttpMethod.Post, "/api/incidents/inc-1/ack", TestDaemon.AdminToken);

        Assert.Contains(new PauseAutopilot("operator"), _daemon.Received);
        Assert.Contains(new SetDryRun(false), _daemon.Received);
        Assert.Contains(new RequestRollback("demo-api", "admin"), _daemon.Received);
        Assert.Contains(new RunDrill("n8n-failure"), _daemon.Received);
        Assert.Contains(new AcknowledgeIncident("inc-1", "admin"), _daemon.Received);
    }

    [Fact]
    public async Task A_refused_command_is_a_409_with_the_orchestrators_reason()
    {
        var response = await _daemon.SendAsync(HttpMethod.Post, "/api/rollback/unknown-service", TestDaemon.AdminToken);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var body = await Json(response);
        Assert.False(body.GetProperty("accepted").GetBoolean());
        Assert.Equal("unknown service unknown-service", body.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Dry_run_needs_an_explicit_value()
    {
        var response = await _daemon.SendAsync(HttpMethod.Post, "/api/dry-run?enabled=maybe", TestDaemon.OperatorToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Status_shows_the_orchestrators_view_and_the_platforms()
    {
        await _daemon.SendAsync(HttpMethod.Post, "/api/pause", TestDaemon.OperatorToken);

        var status = await Json(await _daemon.SendAsync(HttpMethod.Get, "/api/status", TestDaemon.ViewerToken));

        Assert.True(status.GetProperty("ready").GetBoolean());
        Assert.True(status.GetProperty("autopilot").GetProperty("paused").GetBoolean());
        Assert.Equal("inmem", status.GetProperty("journal").GetString());
        var platforms = status.GetProperty("platforms").EnumerateArray().ToDictionary(p => p.GetProperty("platform").GetString()!, p => p.GetProperty("configured").GetBoolean());
        Assert.True(platforms["railway"]);
        Assert.False(platforms["telegram"]);
    }

    [Fact]
    public async Task Actors_shows_the_live_tree_with_restart_counts()
    {
        // A backoff supervisor starts its child asynchronously: wait until the intake's child shows.
        List<JsonElement> actors = [];
        await Poll.UntilAsync(() =>
        {
            var body = Json(_daemon.SendAsync(HttpMethod.Get, "/api/actors", TestDaemon.ViewerToken).GetAwaiter().GetResult()).GetAwaiter().GetResult();
            actors = body.GetProperty("actors").EnumerateArray().ToList();
            return actors.Any(a => a.GetProperty("name").GetString() == "intake" && a.GetProperty("children").GetArrayLength() > 0);
        }, "the intake and its child in the tree");

        var orchestrator = actors.Single(a => a.GetProperty("name").GetString() == "orchestrator");
        Assert.Equal("FakeOrchestrator", orchestrator.GetProperty("actorType").GetString());
        Assert.Equal("running", orchestrator.GetProperty("status").GetString());
        Assert.Equal(0, orchestrator.GetProperty("restartCount").GetInt32());
        var intake = actors.Single(a => a.GetProperty("name").GetString() == "intake");
        Assert.Equal("webhook-intake", intake.GetProperty("children")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_child_restarted_by_its_backoff_supervisor_is_counted_in_the_tree_and_the_metrics()
    {
        const string child = "/user/intake/webhook-intake";
        await Poll.UntilAsync(() => IntakeChild() is not null, "the intake's child in the tree");

        // Each life of a backoff supervisor's child is a fresh actor: only the restart counter remembers the ones before.
        _daemon.System.ActorSelection(child).Tell(Akka.Actor.PoisonPill.Instance);
        await Poll.UntilAsync(() => IntakeChild() is { } node && node.GetProperty("restartCount").GetInt32() == 1, "the intake's child started again and counted");

        var metrics = await (await _daemon.SendAsync(HttpMethod.Get, "/metrics", null)).Content.ReadAsStringAsync();
        Assert.Contains($"autopilot_actor_restarts_total{{actor=\"{child}\"}} 1", metrics);
        Assert.DoesNotContain("autopilot_actor_restarts_total{actor=\"/user/orchestrator\"}", metrics);

        JsonElement? IntakeChild()
        {
            var body = Json(_daemon.SendAsync(HttpMethod.Get, "/api/actors", TestDaemon.ViewerToken).GetAwaiter().GetResult()).GetAwaiter().GetResult();
            var intake = body.GetProperty("actors").EnumerateArray().SingleOrDefault(a => a.GetProperty("name").GetString() == "intake");
            return intake.ValueKind == JsonValueKind.Object && intake.GetProperty("children").GetArrayLength() > 0 ? intake.GetProperty("children")[0] : null;
        }
    }

    [Fact]
    public async Task Audit_queries_filter_by_phase_tag_and_time()
    {
        await _daemon.SendAsync(HttpMethod.Post, "/api/pause", TestDaemon.OperatorToken);
        await _daemon.SendAsync(HttpMethod.Post, "/api/resume", TestDaemon.OperatorToken);
        await _daemon.Client.PostAsync("/webhooks/railway?token=wrong", new StringContent("{}"));

        var all = await Json(await _daemon.SendAsync(HttpMethod.Get, "/api/audit", TestDaemon.ViewerToken));
        var mode = await Json(await _daemon.SendAsync(HttpMethod.Get, "/api/audit?phase=mode", TestDaemon.ViewerToken));
        var security = await Json(await _daemon.SendAsync(HttpMethod.Get, "/api/audit?tag=security", TestDaemon.ViewerToken));
        var future = await Json(await _daemon.SendAsync(HttpMethod.Get, $"/api/audit?since={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"))}", TestDaemon.ViewerToken));
        var bad = await _daemon.SendAsync(HttpMethod.Get, "/api/audit?phase=dance", TestDaemon.ViewerToken);

        Assert.Equal(3, all.GetArrayLength());
        Assert.Equal(["paused", "resumed"], mode.EnumerateArray().Select(r => r.GetProperty("event").GetProperty("change").GetString()!).ToArray());
        Assert.Equal("autopilot.security_event_recorded", Assert.Single(security.EnumerateArray()).GetProperty("type").GetString());
        Assert.Equal(0, future.GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Secrets_check_and_config_never_show_secret_values()
    {
        var secrets = await (await _daemon.SendAsync(HttpMethod.Get, "/api/secrets/check", TestDaemon.ViewerToken)).Content.ReadAsStringAsync();
        var config = await (await _daemon.SendAsync(HttpMethod.Get, "/api/config", TestDaemon.ViewerToken)).Content.ReadAsStringAsync();

        foreach (var secret in new[] { TestDaemon.AdminToken, TestDaemon.ViewerToken, TestDaemon.GitHubSecret, TestDaemon.RailwayApiToken, TestDaemon.N8nSecret })
        {
            Assert.DoesNotContain(secret, secrets);
            Assert.DoesNotContain(secret, config);
        }

        var check = JsonDocument.Parse(secrets).RootElement.GetProperty("secrets").EnumerateArray()
            .ToDictionary(s => s.GetProperty("key").GetString()!, s => s.GetProperty("resolved").GetBoolean());
        Assert.True(check["autopilot.platforms.railway.api-token"]);
        Assert.False(check["autopilot.platforms.telegram.bot-token"]);
        var hocon = JsonDocument.Parse(config).RootElement.GetProperty("hocon").GetString()!;
        Assert.Contains("max-webhook-body", hocon);
        Assert.Matches("\"?api-token\"? = \"\\*\\*\\*\"", hocon);
    }

    [Fact]
    public async Task Incidents_and_deployments_come_from_the_orchestrator_view()
    {
        var incidents = await Json(await _daemon.SendAsync(HttpMethod.Get, "/api/incidents?open=true", TestDaemon.ViewerToken));
        var deployments = await Json(await _daemon.SendAsync(HttpMethod.Get, "/api/deployments?service=demo-api", TestDaemon.ViewerToken));

        Assert.Equal("inc-1", Assert.Single(incidents.EnumerateArray()).GetProperty("incidentId").GetString());
        Assert.Equal("dep-2", Assert.Single(deployments.GetProperty("services").EnumerateArray()).GetProperty("currentDeploymentId").GetString());
    }
}
