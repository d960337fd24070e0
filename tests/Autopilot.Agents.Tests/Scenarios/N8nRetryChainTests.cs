using Akka.Actor;
using Autopilot.Agents.Fallback;
using Autopilot.Agents.N8n;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Fallback;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.N8n;
using Autopilot.Platforms.Redaction;
using Autopilot.Simulator.N8n;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Scenarios;

/// <summary>
/// Issue 18, item 5: a failed n8n execution whose retries fail too. n8n records each failed retry as a new error
/// execution with <c>retryOf</c> set; the execution and its retries are one failure, recovered once (here by the HTTP
/// fallback tier); the later retries are recorded, not acted on.
/// </summary>
public sealed class N8nRetryChainTests(ITestOutputHelper output) : ScenarioTestKit(output), IAsyncLifetime
{
    private const string ApiKey = "n8n-api-key-5c4b3a";
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly Redactor _redactor = new();
    private N8nFake _n8n = null!;
    private ScriptedHttpEndpoint _tier = null!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        _n8n = new N8nFake(Clock, ApiKey) { RetryOutcome = "error" };
        _tier = new ScriptedHttpEndpoint(Clock);
        await _n8n.StartAsync();
        await _tier.StartAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await _n8n.DisposeAsync();
        await _tier.DisposeAsync();
        _http.Dispose();
    }

    private Props N8nWorkerProps(string workflowId)
    {
        var client = new N8nClient(_http, new N8nClientOptions(_n8n.BaseAddress, ApiKey,
            new PlatformCallOptions(1, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromMinutes(5), TimeSpan.Zero)), _redactor, TimeProvider.System, NullLogger.Instance);
        var fallback = new FallbackSettings(
            new Dictionary<string, string> { [workflowId] = "send-invoices" },
            // The tier's timeout runs on the virtual clock, which this test moves in steps while the tier's real HTTP call
            // is in flight: longer than all the steps together, so a slow machine cannot make the call time out.
            [new FallbackTier("backup-api", FallbackTierKind.Http, TimeSpan.FromHours(1), _tier.Url("/invoices"), [])]);
        return N8nWorker.Props(client, N8nSettings.Default with { PollInterval = Poll }, _redactor,
            FallbackRouter.Props(fallback, new FallbackTierRunner(_http, _redactor, Clock)));
    }

    [Fact]
    public async Task A_failed_execution_whose_retries_fail_is_one_failure_recovered_once_by_the_HTTP_tier()
    {
        var workflowId = _n8n.AddWorkflow("Invoices", """[{"name":"Hook","type":"n8n-nodes-base.webhook","parameters":{"path":"invoices"}}]""", active: true);
        var orchestrator = StartOrchestrator(n8n: N8nWorkerProps(workflowId));
        // The worker polls, so it has started: its "failures from now on" mark is before the failure.
        AdvanceUntil(() => _n8n.RequestsReceived >= 1, Poll, "the n8n worker's first poll");
        var failed = _n8n.AddExecution(workflowId, "error").ToString(System.Globalization.CultureInfo.InvariantCulture);

        // Poll → failure → recovery: the API retry fails (a new error execution, retryOf = the failed one), the HTTP tier recovers the job.
        AdvanceUntil(() => AuditTrail().OfType<ActionCompleted>().Any(c => c.Worker == WorkerNames.N8n)
                           && _n8n.Executions.Any(e => e.RetryOf?.ToString(System.Globalization.CultureInfo.InvariantCulture) == failed),
            Poll, "the recovery of the failed execution");
        var retry = _n8n.Executions.First(e => e.RetryOf is not null).Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

        // The next polls list the failed retry: it is recorded as part of the same failure.
        AdvanceUntil(() => AuditTrail().OfType<N8nFailureDetected>().Any(f => f.ExecutionId == retry), Poll, "the failed retry recorded");
        var polled = _n8n.RequestsReceived;
        AdvanceUntil(() => _n8n.RequestsReceived >= polled + 5, Poll, "five more polls");
        await orchestrator.Ask<OrchestratorStatus>(new GetOrchestratorStatus(), TimeSpan.FromSeconds(10));

        var trail = AuditTrail();
        foreach (var e in trail)
        {
            output.WriteLine(e.ToString());
        }

        Assert.Equal(1, _tier.Calls("/invoices"));
        Assert.Single(trail.OfType<ActionRequested>(), r => r.Action == "recover-workflow");
        Assert.Single(_n8n.Executions, e => e.RetryOf is not null);
        Assert.Single(trail.OfType<IncidentOpened>());
        Assert.Equal(2, trail.OfType<N8nFailureDetected>().Count());
        Assert.Contains(trail.OfType<N8nRecoveryAttempted>(), a => a is { Strategy: "fallback:backup-api", Success: true } && a.ExecutionId == failed);
        // The failed retry is on the record as what it is, with the decision not to act on it.
        Assert.Equal(failed, trail.OfType<N8nFailureDetected>().Single(f => f.ExecutionId == retry).RetryOf);
        AssertInOrder(trail,
            ("the failure", e => e is N8nFailureDetected f && f.ExecutionId == failed && f.RetryOf is null),
            ("its recovery requested", e => e is ActionRequested { Action: "recover-workflow" } r && r.Parameters["executionId"] == failed),
            ("the failed retry recorded", e => e is N8nFailureDetected f && f.ExecutionId == retry),
            ("and not acted on", e => e is Decided { Situation: "n8n-failure" } d && d.Actions.Count == 0 && d.Reason.Contains($"retry of execution {failed}")));
        Assert.True((await orchestrator.Ask<OrchestratorStatus>(new GetOrchestratorStatus(), TimeSpan.FromSeconds(10))).Workflows.Single().Healthy);
    }
}
