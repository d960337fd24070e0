using Akka.Actor;
using Akka.TestKit;
using Autopilot.Agents.Alerts;
using Autopilot.Agents.Health;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Alerts;
using Autopilot.Agents.Tests.Fallback;
using Autopilot.Agents.Tests.Isolation;
using Autopilot.Platforms.GitHub;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Railway;
using Autopilot.Platforms.Redaction;
using Autopilot.Platforms.Telegram;
using Autopilot.Simulator.GitHub;
using Autopilot.Simulator.Railway;
using Autopilot.Simulator.Telegram;
using Microsoft.Extensions.Logging.Abstractions;
using Autopilot.Agents.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Health;

/// <summary>The self-heal loop against a real local HTTP target, the Railway fake, and the alerts worker on the Telegram and GitHub fakes.</summary>
public sealed class SelfHealTests : AgentsTestKit, IAsyncLifetime
{
    private const string RailwayToken = "rw-health-token-91ab";
    private const string GitHubToken = "ghp_healthtesttoken0123456789";
    private const string BotToken = "777000:AAH-health-bot-token";
    private const long Chat = 5150;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly Redactor _redactor = new();
    private readonly ScriptedHttpEndpoint _service;
    private readonly RailwayFake _railway;
    private readonly GitHubFake _github;
    private readonly TelegramFake _telegram;
    private RailwayFakeService _railwayService = null!;

    public SelfHealTests(ITestOutputHelper output) : base(output)
    {
        _service = new ScriptedHttpEndpoint(Clock);
        _railway = new RailwayFake(Clock, RailwayFakeOptions.Default);
        _github = new GitHubFake(Clock);
        _telegram = new TelegramFake(Clock);
    }

    public async Task InitializeAsync()
    {
        await _service.StartAsync();
        await _railway.StartAsync();
        await _github.StartAsync();
        await _telegram.StartAsync();
        _railway.AddAccountToken(RailwayToken);
        _railwayService = _railway.AddServiceWithProject("api");
        _railway.SeedDeployment(_railwayService.ServiceId, _railwayService.EnvironmentId, "0123456789abcdef0123456789abcdef01234567", DeploymentStatus.Success);
        _github.AddPersonalToken(GitHubToken);
        _github.AddRepository("acme", "ops");
        _telegram.AddBot(BotToken);
    }

    public async Task DisposeAsync()
    {
        Shutdown();
        await _service.DisposeAsync();
        await _railway.DisposeAsync();
        await _github.DisposeAsync();
        await _telegram.DisposeAsync();
        _http.Dispose();
    }

    private (IActorRef Health, TestProbe Reports) Start()
    {
        var calls = new PlatformCallOptions(1, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(30), TimeSpan.Zero);
        var railway = new RailwayClient(_http, new RailwayClientOptions(RailwayToken, RailwayTokenKind.Account) { Endpoint = _railway.Endpoint, Call = calls },
            TimeProvider.System, _redactor, NullLogger.Instance);
        var github = new GitHubClient(_http, new GitHubClientOptions { BaseAddress = _github.BaseAddress, Call = calls },
            new PersonalAccessTokenSource(GitHubToken), TimeProvider.System, _redactor, NullLogger.Instance);
        var telegram = new TelegramBotClient(_http, new TelegramBotOptions(BotToken, _telegram.BaseAddress, calls), _redactor, TimeProvider.System, NullLogger.Instance);
        var alerts = Sys.ActorOf(AlertWorker.Props(AlertSettings.Default, [
            new TelegramAlertChannel(telegram, TelegramChatId.FromId(Chat)),
            new GitHubIssueAlertChannel(github, new GitHubRepository("acme", "ops"), ["autopilot", "incident"]),
        ]), WorkerNames.Alerts);

        // Virtual time runs ahead of the real HTTP round trips here, so a probe in flight must never time out
        // on it: every probe of these tests answers, and what they check is what the answer leads to.
        var settings = HealthSettings.Default with
        {
            ProbeTimeout = TimeSpan.FromDays(1),
            Targets = [new HealthTarget("api", _service.Url("/health"), "api", _railwayService.ServiceId, _railwayService.EnvironmentId)],
        };
        var reports = CreateTestProbe();
        var health = Sys.ActorOf(ParentStandIn.Props(HealthProbe.Props(settings, _http, railway, _redactor, alerts), WorkerNames.Health, reports.Ref));
        return (health, reports);
    }

    private int Redeploys => _railway.Calls.Count(c => c.RootFields.Contains("serviceInstanceRedeploy"));

    /// <summary>Lets the first probe and its retries fail; returns the failure the worker reports to its parent.</summary>
    private HealthCheckFailed ReportedFailure(TestProbe reports)
    {
        AdvanceUntil(() => _service.Exchanges.Count(e => e.Path == "/health") >= 4, TimeSpan.FromSeconds(5), "the probe and its three retries");
        return (HealthCheckFailed)reports.FishForMessage<WorkerReport>(r => r.Observation is HealthCheckFailed, Wait).Observation;
    }

    /// <summary>Sends the redeploy the orchestrator's default policy decides on a reported failure, and returns its answer.</summary>
    private WorkerResult Redeploy(IActorRef health)
    {
        health.Tell(new RedeployTarget("redeploy-1", "api"), TestActor);
        var result = ExpectMsg<WorkerResult>(Wait);
        Assert.Equal("redeploy-1", result.ActionId);
        return result;
    }

    [Fact]
    public void Every_concluded_probe_is_published_with_its_result_baseline_and_interval_for_the_journal()
    {
        var published = CreateTestProbe();
        Sys.EventStream.Subscribe(published.Ref, typeof(HealthProbed));
        _service.Script("/health", 200);
        Start();

        AdvanceUntil(() => _service.Exchanges.Count(e => e.Path == "/health") >= 1, TimeSpan.FromSeconds(5), "the first probe");
        var healthy = published.ExpectMsg<HealthProbed>(Wait);
        Assert.Equal(("api", "api", true, 200, (string?)null), (healthy.Target, healthy.Service, healthy.Healthy, healthy.StatusCode, healthy.Reason));
        Assert.Equal(HealthSettings.Default.Interval, healthy.Interval);
        Assert.NotNull(healthy.BaselineMs);

        _service.Script("/health", 503);
        AdvanceUntil(() => _service.Exchanges.Count(e => e.Path == "/health") >= 2, HealthSettings.Default.Interval + TimeSpan.FromSeconds(5), "the next probe");
        var failed = published.ExpectMsg<HealthProbed>(Wait);
        Assert.False(failed.Healthy);
        Assert.Equal(503, failed.StatusCode);
        Assert.Equal("answered 503", failed.Reason);
        // A failure leaves the baseline of healthy response times as it was.
        Assert.Equal(healthy.BaselineMs, failed.BaselineMs);
    }

    [Fact]
    public void Scenario_5_a_failing_service_is_redeployed_and_when_it_still_fails_an_issue_is_opened_and_critical_alert_sent()
    {
        _service.Script("/health", 503);
        var (health, reports) = Start();

        var failed = ReportedFailure(reports);
        Assert.Equal(("api", 4, "api"), (failed.Target, failed.ConsecutiveFailures, failed.Service));
        Assert.Equal("answered 503", failed.Reason);
        Assert.Equal(0, Redeploys);

        Assert.True(Redeploy(health).Success);
        Assert.Equal(1, Redeploys);
        AdvanceUntil(() => _github.Issues("acme", "ops").Count == 1 && _telegram.MessagesIn(Chat).Count == 1, TimeSpan.FromSeconds(5), "issue and Telegram alert");

        // 1 probe + 3 retries, then one verification after the redeploy wait.
        var probes = _service.Exchanges.Where(e => e.Path == "/health").ToArray();
        Assert.Equal(5, probes.Length);
        Assert.True(probes[4].ReceivedAt - probes[3].ReceivedAt >= TimeSpan.FromSeconds(90), "verified before the redeploy wait was over");

        var issue = Assert.Single(_github.Issues("acme", "ops"));
        Assert.Equal("api is down and self-heal did not fix it", issue.Title);
        Assert.Contains("still failing 90s after the redeploy", issue.Body, StringComparison.Ordinal);
        Assert.Contains("CRITICAL: api is down and self-heal did not fix it", _telegram.MessagesIn(Chat)[0].Text, StringComparison.Ordinal);

        health.Tell(GetHealthStatus.Instance, TestActor);
        var status = Assert.Single(ExpectMsg<HealthStatus>(Wait).Targets);
        Assert.Equal(("gave-up", false, 503), (status.Phase, status.Healthy, status.StatusCode));
    }

    [Fact]
    public void After_giving_up_it_does_not_redeploy_again_and_reports_the_recovery()
    {
        _service.Script("/health", 500);
        var (health, reports) = Start();
        ReportedFailure(reports);
        Assert.True(Redeploy(health).Success);
        AdvanceUntil(() => _github.Issues("acme", "ops").Count == 1, TimeSpan.FromSeconds(5), "the issue");

        // Two more routine probes fail: no second redeploy in the same outage.
        var probes = _service.Exchanges.Count;
        AdvanceUntil(() => _service.Exchanges.Count >= probes + 2, TimeSpan.FromMinutes(1), "two routine probes");
        Assert.Equal(1, Redeploys);

        _service.Script("/health", 200);
        AdvanceUntil(() => Journal("alerts").OfType<AlertSent>().Any(a => a.Severity == AlertSeverity.Info), TimeSpan.FromMinutes(1), "the recovery");
        var recovered = (HealthCheckRecovered)reports.FishForMessage<WorkerReport>(r => r.Observation is HealthCheckRecovered, Wait).Observation;
        Assert.Equal("api", recovered.Target);

        health.Tell(new CheckHealth("check-1", ["api", "postgres"]), TestActor);
        var result = ExpectMsg<WorkerResult>(Wait);
        Assert.False(result.Success);
        Assert.Equal("postgres: not a configured health target", result.Error);
    }
}
