using Akka.Actor;
using Akka.TestKit;
using Autopilot.Agents.Fallback;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Isolation;
using Autopilot.Platforms.Redaction;
using Autopilot.Agents.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Fallback;

public sealed class FallbackRouterTests(ITestOutputHelper output) : AgentsTestKit(output), IAsyncLifetime
{
    private readonly ScriptedHttpEndpoint _endpoint = new(TimeProvider.System);
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public Task InitializeAsync() => _endpoint.StartAsync();

    public async Task DisposeAsync()
    {
        Shutdown();
        await _endpoint.DisposeAsync();
        _http.Dispose();
    }

    private FallbackSettings RouterSettings(params FallbackTier[] tiers) =>
        new(new Dictionary<string, string> { ["wf-1"] = "invoices" }, tiers);

    private FallbackTier Http(string name, string path, TimeSpan? timeout = null) =>
        new(name, FallbackTierKind.Http, timeout ?? FallbackSettings.DefaultHttpTimeout, _endpoint.Url(path), []);

    private (IActorRef Router, TestProbe Reports) Start(FallbackSettings settings)
    {
        var reports = CreateTestProbe();
        var parent = Sys.ActorOf(ParentStandIn.Props(
            FallbackRouter.Props(settings, new FallbackTierRunner(_http, new Redactor(), Clock)), WorkerNames.Fallback, reports.Ref));
        return (parent, reports);
    }

    private void AwaitRequests(int count) =>
        AwaitCondition(() => _endpoint.RequestsReceived >= count, TimeSpan.FromSeconds(10), message: $"{count} requests at the endpoint");

    private static N8nRecoveryAttempted Attempt(TestProbe reports) =>
        (N8nRecoveryAttempted)reports.ExpectMsg<WorkerReport>(r => r.Observation is N8nRecoveryAttempted, TimeSpan.FromSeconds(10)).Observation;

    [Fact]
    public void Each_tier_gets_its_own_timeout_and_the_first_success_ends_the_chain()
    {
        _endpoint.Script("/first", ScriptedHttpEndpoint.Hang);
        _endpoint.Script("/second", ScriptedHttpEndpoint.Hang);
        var (router, reports) = Start(RouterSettings(
            Http("first", "/first"),
            new FallbackTier("second", FallbackTierKind.N8n, FallbackSettings.DefaultCommandTimeout, _endpoint.Url("/second"), []),
            Http("third", "/third"),
            Http("never", "/never")));

        router.Tell(new RouteFallback("act-1", "wf-1", "", "gateway-timeout"), TestActor);
        AwaitRequests(1);
        Scheduler.Advance(TimeSpan.FromSeconds(1));
        var first = Attempt(reports);
        Assert.Equal(("fallback:first", false), (first.Strategy, first.Success));
        Assert.Contains("timed out after 1s", first.Detail, StringComparison.Ordinal);

        AwaitRequests(2);
        Scheduler.Advance(TimeSpan.FromSeconds(4));
        reports.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Scheduler.Advance(TimeSpan.FromSeconds(1));
        var second = Attempt(reports);
        Assert.Equal(("fallback:second", false), (second.Strategy, second.Success));
        Assert.Contains("in 5s: timed out after 5s", second.Detail, StringComparison.Ordinal);

        var third = Attempt(reports);
        Assert.Equal(("fallback:third", true), (third.Strategy, third.Success));
        var result = ExpectMsg<WorkerResult>(TimeSpan.FromSeconds(10));
        Assert.True(result.Success);
        Assert.Equal("act-1", result.ActionId);
        Assert.Contains("task invoices done by fallback tier third", result.Detail, StringComparison.Ordinal);
        Assert.Equal(0, _endpoint.Calls("/never"));
        Assert.Contains(_endpoint.Exchanges, e => e.Path == "/third" && e.RequestBody.Contains("\"task\":\"invoices\"", StringComparison.Ordinal));
    }

    [Fact]
    public void When_every_tier_fails_a_critical_alert_is_raised_and_the_result_lists_every_attempt()
    {
        _endpoint.Script("/broken", 500);
        var (router, reports) = Start(RouterSettings(
            Http("api", "/broken"),
            new FallbackTier("unit", FallbackTierKind.Command, FallbackSettings.DefaultCommandTimeout, null, ["false"])));

        router.Tell(new RouteFallback("act-2", "wf-1", "41", "error: node failed"), TestActor);
        Assert.False(Attempt(reports).Success);
        Assert.False(Attempt(reports).Success);
        var alert = reports.ExpectMsg<RaiseAlert>(TimeSpan.FromSeconds(10));
        Assert.Equal(AlertSeverity.Critical, alert.Severity);
        Assert.Equal("n8n:wf-1:unrecovered", alert.Fingerprint);
        var result = ExpectMsg<WorkerResult>(TimeSpan.FromSeconds(10));
        Assert.False(result.Success);
        Assert.Contains("api (http) failed", result.Error, StringComparison.Ordinal);
        Assert.Contains("unit (command) failed", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unmapped_workflow_is_reported_not_guessed()
    {
        var (router, reports) = Start(RouterSettings(Http("api", "/run")));

        router.Tell(new RouteFallback("act-3", "wf-unknown", "9", "error"), TestActor);
        var result = ExpectMsg<WorkerResult>(TimeSpan.FromSeconds(10));
        Assert.False(result.Success);
        Assert.Contains("no fallback task mapped", result.Error, StringComparison.Ordinal);
        Assert.False(Attempt(reports).Success);
        Assert.Equal(AlertSeverity.Critical, reports.ExpectMsg<RaiseAlert>(TimeSpan.FromSeconds(10)).Severity);
        Assert.Equal(0, _endpoint.RequestsReceived);
    }
}
