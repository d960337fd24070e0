using Akka.Actor;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Autopilot.Simulator.Railway;
using Autopilot.Simulator.Railway.GraphQL;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Scenarios;

/// <summary>Scenario 7: the action budget stops autonomous repairs with one CRITICAL alert.</summary>
public sealed class ActionBudgetTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    // The unexplained crash is restarted without asking (65 is in the default review band of restart).
    protected override string ExtraConfig => """
        autopilot.agents.budget.max-actions-per-service = 2
        autopilot.agents.confidence.actions.restart.act = 60
        """;

    [Fact]
    public async Task An_exhausted_budget_stops_further_actions_with_a_single_critical_alert()
    {
        RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('1', 40), DeploymentStatus.Success, Clock.GetUtcNow().AddHours(-1));
        var orchestrator = StartOrchestrator();

        // deploy (1 of 2), restart after the first crash (2 of 2); the second crash would need a rollback: over budget.
        RailwayFake.ScriptNextDeployment(RailwayService.ServiceId, DeploymentScript.Crash("Segmentation fault (core dumped)"));
        PushGreenCommit(orchestrator, "Use the native parser");
        AdvanceUntilAudit<AutopilotModeChanged>(m => m.Change == "budget-exhausted", "the budget to run out");

        // Another green commit would be deployed, but the budget is spent: nothing happens, and no second alert.
        PushGreenCommit(orchestrator, "Try again");
        AdvanceUntilAudit<Decided>(d => d.Situation == "checks-passed" && d.Reason.Contains("budget"), "the refused deploy");

        Assert.Equal(1, RailwayCalls("serviceInstanceDeployV2"));
        Assert.Equal(1, RailwayCalls("deploymentRestart"));
        Assert.Equal(0, RailwayCalls("deploymentRollback"));
        var alert = Assert.Single(Alerts, a => a.Severity == AlertSeverity.Critical);
        Assert.Equal("api:budget-exhausted", alert.Fingerprint);
        Assert.Single(AuditTrail().OfType<AutopilotModeChanged>(), m => m.Change == "budget-exhausted");
        var status = await orchestrator.Ask<OrchestratorStatus>(new GetOrchestratorStatus(), TimeSpan.FromSeconds(10));
        Assert.True(Assert.Single(status.Services).BudgetExhausted);
    }
}

/// <summary>Dry-run: the loop decides and records, and acts on nothing.</summary>
public sealed class DryRunTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    [Fact]
    public async Task In_dry_run_decisions_are_recorded_and_nothing_is_changed()
    {
        RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('1', 40), DeploymentStatus.Removed, Clock.GetUtcNow().AddHours(-2));
        RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('2', 40), DeploymentStatus.Success, Clock.GetUtcNow().AddHours(-1));
        var orchestrator = StartOrchestrator();
        var ack = await orchestrator.Ask<ControlAck>(new SetDryRun(true), TimeSpan.FromSeconds(10));
        Assert.True(ack.Accepted);

        var sha = PushGreenCommit(orchestrator, "Add the search endpoint");
        AdvanceUntilAudit<Decided>(d => d.Situation == "checks-passed", "the deploy decision");
        var rollback = await orchestrator.Ask<ControlAck>(new RequestRollback(Service, "alice"), TimeSpan.FromSeconds(10));

        Assert.Contains("dry-run", rollback.Message);
        var decided = Assert.Single(AuditTrail().OfType<Decided>(), d => d.Situation == "checks-passed");
        Assert.True(decided.DryRun);
        Assert.Equal(["deploy"], decided.Actions);
        Assert.Equal(sha, decided.Commit);
        Assert.Empty(AuditTrail().OfType<ActionRequested>());
        Assert.DoesNotContain(RailwayFake.Calls, c => c.OperationType == GraphQLOperationType.Mutation);
        Assert.Empty(GitHubFake.Issues(Owner, RepoName));
        Assert.Empty(Alerts);
    }
}
