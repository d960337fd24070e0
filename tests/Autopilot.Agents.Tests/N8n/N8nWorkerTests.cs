using System.Text.Json;
using Akka.Actor;
using Akka.TestKit;
using Autopilot.Agents.Fallback;
using Autopilot.Agents.N8n;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Fallback;
using Autopilot.Agents.Tests.Isolation;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.N8n;
using Autopilot.Platforms.Redaction;
using Autopilot.Simulator.N8n;
using Microsoft.Extensions.Logging.Abstractions;
using Autopilot.Agents.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.N8n;

public sealed class N8nWorkerTests(ITestOutputHelper output) : AgentsTestKit(output), IAsyncLifetime
{
    private const string ApiKey = "n8n-api-key-7f3e9a";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly ScriptedHttpEndpoint _endpoint = new(TimeProvider.System);
    private readonly Redactor _redactor = new();
    private N8nFake _n8n = null!;
    private string _workflowId = "";

    public async Task InitializeAsync()
    {
        _n8n = new N8nFake(Clock, ApiKey);
        await _n8n.StartAsync();
        await _endpoint.StartAsync();
        _workflowId = _n8n.AddWorkflow("Invoices", """[{"name":"Hook","type":"n8n-nodes-base.webhook","parameters":{"path":"invoices"}}]""", active: true);
    }

    public async Task DisposeAsync()
    {
        Shutdown();
        await _n8n.DisposeAsync();
        await _endpoint.DisposeAsync();
        _http.Dispose();
    }

    private (IActorRef Worker, TestProbe Reports) Start(params FallbackTier[] tiers)
    {
        var client = new N8nClient(_http, new N8nClientOptions(_n8n.BaseAddress, ApiKey,
            new PlatformCallOptions(1, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromMinutes(5), TimeSpan.Zero)), _redactor, TimeProvider.System, NullLogger.Instance);
        var fallback = new FallbackSettings(new Dictionary<string, string> { [_workflowId] = "send-invoices" }, tiers);
        var reports = CreateTestProbe();
        var worker = Sys.ActorOf(ParentStandIn.Props(
            N8nWorker.Props(client, N8nSettings.Default with { PollInterval = TimeSpan.Zero }, _redactor,
                FallbackRouter.Props(fallback, new FallbackTierRunner(_http, _redactor, Clock))),
            WorkerNames.N8n, reports.Ref));
        return (worker, reports);
    }

    private FallbackTier Http(string name, string path) => new(name, FallbackTierKind.Http, FallbackSettings.DefaultHttpTimeout, _endpoint.Url(path), []);

    private static N8nFailureDetected Failure(TestProbe reports) =>
        (N8nFailureDetected)reports.ExpectMsg<WorkerReport>(r => r.Observation is N8nFailureDetected, Wait).Observation;

    private static N8nRecoveryAttempted Attempt(TestProbe reports) =>
        (N8nRecoveryAttempted)reports.ExpectMsg<WorkerReport>(r => r.Observation is N8nRecoveryAttempted, Wait).Observation;

    [Fact]
    public void Scenario_4_a_504_is_detected_tier_1_fails_tier_2_recovers_and_every_attempt_is_recorded()
    {
        _n8n.ScriptWebhook("invoices", new N8nWebhookBehavior.Respond(504, """{"message":"Gateway Timeout","debug":"token=sk_live_4f9a8b7c6d"}"""));
        _endpoint.Script("/tier-1", 503);
        var (worker, reports) = Start(Http("backup-api", "/tier-1"), Http("standby", "/tier-2"));

        worker.Tell(new RunWorkflow("run-1", _workflowId, "invoices", WorkflowName: "Invoices"), TestActor);
        var failure = Failure(reports);
        Assert.Equal((_workflowId, "Invoices"), (failure.WorkflowId, failure.WorkflowName));
        Assert.StartsWith("gateway-timeout: webhook invoices answered 504", failure.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("sk_live_4f9a8b7c6d", failure.Error, StringComparison.Ordinal);
        Assert.False(ExpectMsg<WorkerResult>(Wait).Success);

        // What the orchestrator does for an n8n-failure (policy: recover-workflow). No execution was recorded, so straight to the tiers.
        worker.Tell(new RecoverWorkflow("recover-1", _workflowId, ""), TestActor);
        var first = Attempt(reports);
        Assert.Equal(("fallback:backup-api", false), (first.Strategy, first.Success));
        Assert.Contains("answered 503", first.Detail, StringComparison.Ordinal);
        var second = Attempt(reports);
        Assert.Equal(("fallback:standby", true), (second.Strategy, second.Success));
        var result = ExpectMsg<WorkerResult>(Wait);
        Assert.Equal(("recover-1", true), (result.ActionId, result.Success));
        Assert.Contains("task send-invoices done by fallback tier standby", result.Detail, StringComparison.Ordinal);
        Assert.Contains(_endpoint.Exchanges, e => e.Path == "/tier-2" && e.RequestBody.Contains("gateway-timeout", StringComparison.Ordinal));
    }

    [Fact]
    public void A_webhook_that_never_answers_is_an_execution_timeout()
    {
        _n8n.ScriptWebhook("invoices", new N8nWebhookBehavior.Hang());
        var (worker, reports) = Start();

        worker.Tell(new RunWorkflow("run-2", _workflowId, "invoices"), TestActor);
        AwaitCondition(() => _n8n.RequestsReceived >= 1, Wait);
        Scheduler.Advance(TimeSpan.FromSeconds(30));
        reports.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Scheduler.Advance(TimeSpan.FromSeconds(1));
        Assert.StartsWith("execution-timeout: webhook invoices answered nothing after 31s", Failure(reports).Error, StringComparison.Ordinal);
        Assert.False(ExpectMsg<WorkerResult>(Wait).Success);
    }

    [Fact]
    public void A_403_is_an_auth_failure_and_a_200_is_a_success()
    {
        var (worker, reports) = Start();
        _n8n.ScriptWebhook("invoices", N8nWebhookBehavior.Forbidden);
        worker.Tell(new RunWorkflow("run-3", _workflowId, "invoices"), TestActor);
        Assert.StartsWith("auth-failure:", Failure(reports).Error, StringComparison.Ordinal);
        Assert.False(ExpectMsg<WorkerResult>(Wait).Success);

        _n8n.ScriptWebhook("invoices", N8nWebhookBehavior.Started);
        worker.Tell(new RunWorkflow("run-4", _workflowId, "invoices"), TestActor);
        var result = ExpectMsg<WorkerResult>(Wait);
        Assert.True(result.Success, result.Error);
        reports.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void An_error_workflow_callback_is_detected_and_a_recorded_execution_is_recovered_by_retrying_it()
    {
        var executionId = _n8n.AddExecution(_workflowId, "error").ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (worker, reports) = Start(Http("never-needed", "/tier"));
        var payload = JsonDocument.Parse($$$"""
            {"execution":{"id":"{{{executionId}}}","lastNodeExecuted":"HTTP Request","error":{"message":"Request failed: Bearer abc.def.ghi rejected"}},
             "workflow":{"id":"{{{_workflowId}}}","name":"Invoices"}}
            """).RootElement;

        worker.Tell(new ExternalEvent("n8n", "error-workflow", "delivery-1", payload), TestActor);
        var failure = Failure(reports);
        Assert.Equal(executionId, failure.ExecutionId);
        Assert.Contains("node HTTP Request", failure.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("abc.def.ghi", failure.Error, StringComparison.Ordinal);

        worker.Tell(new RecoverWorkflow("recover-2", _workflowId, executionId), TestActor);
        var attempt = Attempt(reports);
        Assert.Equal(("retry", true), (attempt.Strategy, attempt.Success));
        Assert.True(ExpectMsg<WorkerResult>(Wait).Success);
        Assert.Equal(0, _endpoint.RequestsReceived);
    }

    [Fact]
    public void An_error_workflow_callback_of_any_shape_is_ignored_without_stopping_the_worker()
    {
        var (worker, reports) = Start(Http("never-needed", "/tier"));
        var errors = CreateTestProbe();
        Sys.EventStream.Subscribe(errors.Ref, typeof(Akka.Event.Error));
        var shapes = new[]
        {
            "null", "[]", "\"s\"", """{"workflow":"wf"}""", """{"workflow":{"id":{}}}""", """{"workflow":[1],"execution":"x"}""",
            """{"workflow":{"id":"wf-x"},"execution":{"id":[],"error":"boom","lastNodeExecuted":{}}}""",
        };

        for (var i = 0; i < shapes.Length; i++)
        {
            worker.Tell(new ExternalEvent("n8n", "error-workflow", $"odd-{i}", JsonDocument.Parse(shapes[i]).RootElement), TestActor);
        }

        // Only the last one names a workflow: it is reported (with no execution id); the others are ignored.
        var failure = Failure(reports);
        Assert.Equal(("wf-x", ""), (failure.WorkflowId, failure.ExecutionId));
        // Everything sent before an Identify is handled before its answer; a throw would have been logged as an Error.
        Sys.ActorSelection(worker.Path / WorkerNames.N8n).Tell(new Identify(1), TestActor);
        Assert.NotNull(ExpectMsg<ActorIdentity>(Wait).Subject);
        errors.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }
}
