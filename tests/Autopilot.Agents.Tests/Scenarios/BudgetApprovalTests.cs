using Akka.Actor;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Autopilot.Simulator.Railway;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Scenarios;

/// <summary>Issue 14 (3): an action over the service's budget is not taken but put to a human, and taken once approved.</summary>
public sealed class BudgetApprovalTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    protected override string ExtraConfig => "autopilot.agents.budget.max-actions-per-service = 0";

    [Fact]
    public async Task A_rollback_over_budget_waits_for_approval_and_runs_once_approved()
    {
        RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('1', 40), DeploymentStatus.Removed, Clock.GetUtcNow().AddHours(-2));
        var orchestrator = StartOrchestrator();
        RailwayFake.ScriptNextDeployment(RailwayService.ServiceId, DeploymentScript.FailBuild("error TS2345"));
        // checks-passed = [deploy] is over the budget too: approve the deploy first, then the rollback of what it broke.
        PushGreenCommit(orchestrator, "Break the build");
        AdvanceUntilAudit<ApprovalRequested>(a => a.Action == "deploy", "the deploy put to a human");
        var deploy = AuditTrail().OfType<ApprovalRequested>().Single(a => a.Action == "deploy");
        Assert.True((await orchestrator.Ask<ControlAck>(new DecideApproval(deploy.ApprovalId, true, "ops", ApprovalChannels.Cli), AskTimeout)).Accepted);
        AdvanceUntilAudit<ApprovalRequested>(a => a.Action == "rollback", "the rollback put to a human");

        Assert.Equal(0, RailwayCalls("deploymentRollback"));
        var decided = AuditTrail().OfType<Decided>().Single(d => d.Situation == "build-failed");
        Assert.Empty(decided.Actions);
        Assert.Contains("approval requested for: rollback", decided.Reason);
        var rollback = AuditTrail().OfType<ApprovalRequested>().Single(a => a.Action == "rollback");
        Assert.Contains("budget", rollback.Reason);

        Assert.True((await orchestrator.Ask<ControlAck>(new DecideApproval(rollback.ApprovalId, true, "ops", ApprovalChannels.Cli), AskTimeout)).Accepted);
        AdvanceUntil(() => RailwayCalls("deploymentRollback") == 1, "the approved rollback");
        Assert.Single(AuditTrail().OfType<ActionRequested>(), r => r.Action == "rollback");
    }
}
