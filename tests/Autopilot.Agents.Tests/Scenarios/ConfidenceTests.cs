using Akka.Actor;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Railway;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Autopilot.Simulator.Railway;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Scenarios;

/// <summary>
/// Confidence on every decision with the shipped weights and thresholds (act ≥ 80, ask a human 60–79): a classified
/// build failure is rolled back at once, an unexplained crash is put to a human, and pause and dry-run still win.
/// </summary>
public sealed class ConfidenceTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    private const string CompilerError = "src/search.ts(42,7): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'.";

    private void ReportUnexplainedCrash(IActorRef orchestrator) =>
        orchestrator.Tell(new WorkerReport(WorkerNames.Railway, new DeploymentStatusChanged(
            Service, "dep-crashed", DeploymentStatus.Success, DeploymentStatus.Crashed, new string('c', 40), WatchPurposes.Observed, Clock.GetUtcNow(),
            ["listening on :8080", "Segmentation fault (core dumped)"])));

    [Fact]
    public void A_build_failure_with_a_clear_error_line_is_acted_on_at_once_with_its_confidence_on_record()
    {
        // Not serving any more (as in BuildFailureTests), so the rollback has something to do; the release tag is the gate's rollback plan.
        var lastGood = RailwayFake.SeedDeployment(
            RailwayService.ServiceId, RailwayService.EnvironmentId, new string('1', 40), DeploymentStatus.Removed, Clock.GetUtcNow().AddHours(-2));
        var orchestrator = StartOrchestrator();

        RailwayFake.ScriptNextDeployment(RailwayService.ServiceId, DeploymentScript.FailBuild(CompilerError));
        PushGreenCommit(orchestrator, "Break the build");
        AdvanceUntilAudit<ActionCompleted>(c => c.Detail.Contains(lastGood), "the rollback");

        var decided = Assert.Single(AuditTrail().OfType<Decided>(), d => d.Situation == "build-failed");
        Assert.True(decided.Confidence >= 80, $"confidence {decided.Confidence}");
        Assert.Equal(["rollback", "alert-critical"], decided.Actions);
        Assert.Empty(AuditTrail().OfType<ApprovalRequested>());
        Assert.Equal(1, RailwayCalls("deploymentRollback"));
        AssertInOrder(AuditTrail(),
            ("decided with its confidence", e => e is Decided { Situation: "build-failed", Confidence: 85 }),
            ("rollback requested at once", e => e is ActionRequested { Action: "rollback" }));
    }

    [Fact]
    public void An_unexplained_crash_is_in_the_review_band_a_human_is_asked_and_nothing_is_executed()
    {
        var orchestrator = StartOrchestrator();

        ReportUnexplainedCrash(orchestrator);
        AdvanceUntil(() => AuditTrail().OfType<ApprovalRequested>().Any() && AlertChatMessages.Any(m => m.Text.Contains("Approval needed") && m.Keyboard is not null),
            "the approval request in the journal and its message with buttons in Telegram");

        var decided = Assert.Single(AuditTrail().OfType<Decided>(), d => d.Situation == "crashed-transient");
        Assert.Equal(65, decided.Confidence);
        Assert.Empty(decided.Actions);
        Assert.Contains("approval requested for restart", decided.Reason);
        var approval = Assert.Single(AuditTrail().OfType<ApprovalRequested>());
        Assert.Equal(("restart", Service, "dep-crashed", 65), (approval.Action, approval.Service, approval.DeploymentId, approval.Confidence));
        Assert.Contains("Segmentation fault", approval.Evidence["evidence"]);
        Assert.Equal("base 50 + generic-crash 15 = 65", approval.Evidence["confidence"]);
        Assert.StartsWith("apr-", approval.ApprovalId);
        Assert.DoesNotContain(AuditTrail(), e => e is ActionRequested { Action: "restart" });
        Assert.Equal(0, RailwayCalls("deploymentRestart"));
        // The human is asked with Approve / Reject buttons naming this approval, not with an alert.
        Assert.Empty(Alerts);
        var asked = Assert.Single(AlertChatMessages, m => m.Keyboard is not null);
        Assert.Contains(asked.Keyboard!.SelectMany(row => row), b => b.CallbackData == $"approve:{approval.ApprovalId}");
    }

    [Fact]
    public async Task Dry_run_wins_over_an_approval()
    {
        var orchestrator = StartOrchestrator();
        await orchestrator.Ask<ControlAck>(new SetDryRun(true), TimeSpan.FromSeconds(10));

        ReportUnexplainedCrash(orchestrator);
        AdvanceUntilAudit<Decided>(d => d.Situation == "crashed-transient", "the decision");

        var decided = AuditTrail().OfType<Decided>().Single(d => d.Situation == "crashed-transient");
        Assert.True(decided.DryRun);
        Assert.Equal(65, decided.Confidence);
        Assert.Empty(AuditTrail().OfType<ApprovalRequested>());
        Assert.DoesNotContain(AuditTrail(), e => e is ActionRequested);
    }

    [Fact]
    public async Task Pause_wins_over_an_approval()
    {
        var orchestrator = StartOrchestrator();
        await orchestrator.Ask<ControlAck>(new PauseAutopilot("test"), TimeSpan.FromSeconds(10));

        ReportUnexplainedCrash(orchestrator);
        AdvanceUntilAudit<Decided>(d => d.Situation == "crashed-transient", "the decision");

        Assert.Contains("paused", AuditTrail().OfType<Decided>().Single(d => d.Situation == "crashed-transient").Reason);
        Assert.Empty(AuditTrail().OfType<ApprovalRequested>());
        Assert.DoesNotContain(AuditTrail(), e => e is ActionRequested);
    }
}
