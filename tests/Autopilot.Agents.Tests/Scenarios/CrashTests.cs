using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Autopilot.Simulator.Railway;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Scenarios;

/// <summary>
/// Scenario 3: CRASHED with an out-of-memory log → scale-up recommendation; an unexplained crash → one restart, then
/// rollback. An unexplained crash's confidence (65) is in the review band by default, so this operator lets restarts go
/// from 60 (a per-action threshold); <see cref="ConfidenceTests"/> has the default, where a human is asked.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    /// <inheritdoc />
    protected override string ExtraConfig => "autopilot.agents.confidence.actions.restart.act = 60";

    [Fact]
    public async Task An_out_of_memory_crash_gets_a_scale_up_recommendation_and_no_restart()
    {
        RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('1', 40), DeploymentStatus.Success, Clock.GetUtcNow().AddHours(-1));
        var orchestrator = StartOrchestrator();

        RailwayFake.ScriptNextDeployment(RailwayService.ServiceId,
            DeploymentScript.Crash("<--- Last few GCs --->", "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"));
        PushGreenCommit(orchestrator, "Cache everything in memory");
        AdvanceUntil(() => AlertChatMessages.Any(m => m.Text.Contains("scale up")), "the CRITICAL alert in Telegram");

        var alert = Assert.Single(Alerts, a => a.Severity == AlertSeverity.Critical);
        Assert.Contains("scale up", alert.Title);
        Assert.Contains("heap out of memory", alert.Body);
        Assert.Equal(1, RailwayCalls("deploymentLogs"));
        Assert.Equal(0, RailwayCalls("deploymentRestart"));
        Assert.Equal(0, RailwayCalls("deploymentRollback"));
        AssertInOrder(AuditTrail(),
            ("CRASHED observed", e => e is Observed { Status: "CRASHED" }),
            ("oriented as out of memory", e => e is Oriented { Situation: "crashed-out-of-memory" } o && o.Evidence.Contains("heap out of memory")),
            ("decided to recommend", e => e is Decided d && d.Actions.SequenceEqual(["recommend-scale-up"])));
    }

    [Fact]
    public async Task An_unexplained_crash_is_restarted_once_and_rolled_back_when_it_crashes_again()
    {
        var lastGood = RailwayFake.SeedDeployment(
            RailwayService.ServiceId, RailwayService.EnvironmentId, new string('1', 40), DeploymentStatus.Success, Clock.GetUtcNow().AddHours(-1));
        var orchestrator = StartOrchestrator();

        RailwayFake.ScriptNextDeployment(RailwayService.ServiceId, DeploymentScript.Crash("Segmentation fault (core dumped)"));
        var sha = PushGreenCommit(orchestrator, "Use the native parser");
        AdvanceUntilAudit<Oriented>(o => o.Situation == "rollback-succeeded", "the rollback to come up");

        var crashed = Assert.Single(RailwayFake.Deployments, d => d.CommitHash == sha);
        var rollback = Assert.Single(RailwayFake.Deployments, d => d.RollbackOf == lastGood);
        Assert.Equal(DeploymentStatus.Success, rollback.Status);
        Assert.Equal(1, RailwayCalls("deploymentRestart"));
        Assert.Equal(1, RailwayCalls("deploymentRollback"));
        AssertInOrder(AuditTrail(),
            ("first crash oriented as transient", e => e is Oriented { Situation: "crashed-transient" } o && o.DeploymentId == crashed.Id),
            ("restart requested", e => e is ActionRequested { Action: "restart" } r && r.DeploymentId == crashed.Id),
            ("restart done", e => e is ActionCompleted c && c.Detail.Contains("restarted")),
            ("second crash oriented as crashed again", e => e is Oriented { Situation: "crashed-again" } o && o.DeploymentId == crashed.Id),
            ("rollback requested", e => e is ActionRequested { Action: "rollback" }),
            ("rollback done", e => e is ActionCompleted c && c.Detail.Contains(lastGood)),
            ("rollback came up", e => e is Oriented { Situation: "rollback-succeeded" }));
    }
}
