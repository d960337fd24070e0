using System.Collections.Concurrent;
using Akka.Actor;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Orchestrator;

/// <summary>Observations from the n8n and health workers go through the same loop as Railway's.</summary>
public sealed class WorkflowFailureTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    [Fact]
    public async Task A_failed_n8n_execution_is_recorded_and_its_recovery_requested_from_the_n8n_worker()
    {
        var n8n = new ConcurrentQueue<object>();
        var orchestrator = StartOrchestrator(n8n: RecordingActor.Props(n8n));

        orchestrator.Tell(new WorkerReport(WorkerNames.N8n,
            new N8nFailureDetected("wf-7", "exec-99", "Telegram node: 429 Too Many Requests", Clock.GetUtcNow(), "send-digest")));
        AwaitCondition(() => n8n.OfType<RecoverWorkflow>().Any());

        var recover = n8n.OfType<RecoverWorkflow>().Single();
        Assert.Equal("wf-7", recover.WorkflowId);
        Assert.Equal("exec-99", recover.ExecutionId);
        orchestrator.Tell(new WorkerResult(recover.ActionId, true, "recovered by retry"));
        AdvanceUntilAudit<ActionCompleted>(c => c.ActionId == recover.ActionId, "the recovery result");

        AssertInOrder(AuditTrail(),
            ("failure recorded", e => e is N8nFailureDetected { WorkflowId: "wf-7", Domain: "n8n" }),
            ("oriented", e => e is Oriented { Situation: "n8n-failure", Service: "n8n:send-digest" }),
            ("recovery requested", e => e is ActionRequested { Action: "recover-workflow", Worker: "n8n", Domain: "n8n" } r && r.ActionId == recover.ActionId),
            ("recovery completed", e => e is ActionCompleted c && c.ActionId == recover.ActionId));
        var status = await orchestrator.Ask<OrchestratorStatus>(new GetOrchestratorStatus(), TimeSpan.FromSeconds(10));
        Assert.False(Assert.Single(status.Workflows).Healthy);
    }

    [Fact]
    public async Task A_failed_health_check_is_a_warning_and_alerts_raised_by_workers_reach_the_alerts_worker()
    {
        var orchestrator = StartOrchestrator();

        orchestrator.Tell(new WorkerReport(WorkerNames.Health, new HealthCheckFailed("postgres", "connection refused", 3, Clock.GetUtcNow(), Service)));
        orchestrator.Tell(new RaiseAlert(AlertSeverity.Warning, "fallback tier slow", "tier backup took 4s", "fallback:slow"));
        AdvanceUntil(() => AlertChatMessages.Count == 2, "both warnings in Telegram");

        Assert.Contains(Alerts, a => a is { Severity: AlertSeverity.Warning, Fingerprint: "api:health-check-failed" } && a.Body.Contains("connection refused"));
        Assert.Contains(Alerts, a => a.Fingerprint == "fallback:slow");
        Assert.Contains(AuditTrail(), e => e is Decided { Situation: "health-check-failed" } d && d.Actions.SequenceEqual(["alert-warning", "redeploy"]));
    }

    [Fact]
    public async Task A_failed_health_check_is_redeployed_only_by_the_orchestrators_recorded_decision_and_not_at_all_while_paused()
    {
        var commands = new ConcurrentQueue<object>();
        var orchestrator = StartOrchestrator(health: RecordingActor.Props(commands));
        orchestrator.Tell(new WorkerReport(WorkerNames.Health, new HealthCheckFailed("web", "answered 503", 4, Clock.GetUtcNow(), Service)));
        AwaitCondition(() => commands.OfType<RedeployTarget>().Any());

        var redeploy = commands.OfType<RedeployTarget>().Single();
        Assert.Equal("web", redeploy.Target);
        var requested = Assert.Single(AuditTrail().OfType<ActionRequested>(), r => r.ActionId == redeploy.ActionId);
        Assert.Equal(("health", "redeploy", Service), (requested.Worker, requested.Action, requested.Service));

        Assert.True((await orchestrator.Ask<ControlAck>(new PauseAutopilot("dana"), TimeSpan.FromSeconds(10))).Accepted);
        orchestrator.Tell(new WorkerReport(WorkerNames.Health, new HealthCheckFailed("web", "answered 503", 4, Clock.GetUtcNow(), Service)));
        AdvanceUntilAudit<Decided>(d => d.Situation == "health-check-failed" && d.Actions.Count == 0, "the paused decision");

        Assert.Single(commands.OfType<RedeployTarget>());
        Assert.Contains("paused", AuditTrail().OfType<Decided>().Last(d => d.Situation == "health-check-failed").Reason);
    }
}
