using Akka.Actor;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Scenarios;

/// <summary>Scenario 1: commit pushed → checks green → deploy → SUCCESS → INFO alert.</summary>
public sealed class DeployOnGreenCommitTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    [Fact]
    public async Task A_commit_whose_checks_passed_is_deployed_and_its_success_announced()
    {
        RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('a', 40), DeploymentStatus.Success, Clock.GetUtcNow().AddHours(-1));
        var orchestrator = StartOrchestrator();

        var sha = PushGreenCommit(orchestrator, "Add the search endpoint");
        AdvanceUntil(() => Alerts.Any(a => a.Severity == AlertSeverity.Info), "the INFO alert of the deployment");

        var deployment = Assert.Single(RailwayFake.Deployments, d => d.CommitHash == sha);
        Assert.Equal(DeploymentStatus.Success, deployment.Status);
        Assert.Equal(1, RailwayCalls("serviceInstanceDeployV2"));
        Assert.Equal(0, RailwayCalls("deploymentRollback"));
        var alert = Assert.Single(Alerts);
        Assert.Equal(Service, alert.Service);
        Assert.Contains(sha[..7], alert.Title);
        // INFO goes to the journal only.
        Assert.Empty(AlertChatMessages);
        AssertInOrder(AuditTrail(),
            ("webhook accepted", e => e is ExternalEventReceived { Source: "github", EventType: "workflow_run" }),
            ("green checks observed", e => e is Observed { Kind: "checks-completed", Status: "passed" } o && o.Commit == sha),
            ("oriented as checks-passed", e => e is Oriented { Situation: "checks-passed" } o && o.Commit == sha),
            ("decided to deploy", e => e is Decided d && d.Actions.SequenceEqual(["deploy"]) && !d.DryRun),
            ("deploy requested before acting", e => e is ActionRequested { Action: "deploy", Worker: "railway" } r && r.Commit == sha),
            ("deploy completed", e => e is ActionCompleted { Worker: "railway" } c && c.Detail.Contains(deployment.Id)),
            ("SUCCESS observed", e => e is Observed { Kind: "deployment-status", Status: "SUCCESS" } o && o.DeploymentId == deployment.Id),
            ("oriented as deploy-succeeded", e => e is Oriented { Situation: "deploy-succeeded" }),
            ("decided to announce", e => e is Decided d && d.Actions.SequenceEqual(["alert-info"])));
    }

    [Fact]
    public async Task A_green_commit_judged_before_a_restart_is_not_deployed_again_when_its_checks_are_reported_again()
    {
        RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('a', 40), DeploymentStatus.Success, Clock.GetUtcNow().AddHours(-1));
        var first = StartOrchestrator();
        var sha = PushGreenCommit(first, "Add the search endpoint");
        AdvanceUntilAudit<ActionCompleted>(c => c.Worker == "railway", "the deploy");
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);

        // A restarted (or newly elected) orchestrator's GitHub worker polls the branch and reports the same green checks.
        var second = StartOrchestrator();
        second.Tell(new WorkerReport(WorkerNames.GitHub, new CommitChecksCompleted($"{Owner}/{RepoName}", "main", sha, true, null, Clock.GetUtcNow())));
        await second.Ask<OrchestratorStatus>(new GetOrchestratorStatus(), TimeSpan.FromSeconds(10));

        Assert.Equal(1, RailwayCalls("serviceInstanceDeployV2"));
        Assert.Single(AuditTrail().OfType<ActionRequested>(), r => r.Action == "deploy");
        Assert.Single(AuditTrail().OfType<Observed>(), o => o.Kind == "checks-completed" && o.Commit == sha);
    }
}
