using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Autopilot.Simulator.Railway;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Scenarios;

/// <summary>Scenario 2: build FAILED → logs read → rollback to last good → SUCCESS → one issue → CRITICAL; a repeat comments.</summary>
public sealed class BuildFailureTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    private const string CompilerError = "src/search.ts(42,7): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'.";
    private const string LeakedSecret = "npm-tok-9f8e7d6c5b4a";

    [Fact]
    public async Task A_failed_build_is_rolled_back_reported_once_and_a_repeat_comments_on_the_same_issue()
    {
        var lastGood = RailwayFake.SeedDeployment(
            RailwayService.ServiceId, RailwayService.EnvironmentId, new string('1', 40), DeploymentStatus.Removed, Clock.GetUtcNow().AddHours(-2));
        var orchestrator = StartOrchestrator();

        RailwayFake.ScriptNextDeployment(RailwayService.ServiceId, DeploymentScript.FailBuild($"npm config set token={LeakedSecret}", CompilerError));
        var broken = PushGreenCommit(orchestrator, "Break the build");
        AdvanceUntil(
            () => AuditTrail().OfType<Oriented>().Any(o => o.Situation == "rollback-succeeded")
                  && GitHubFake.Issues(Owner, RepoName).Count == 1
                  && AlertChatMessages.Any(m => m.Text.Contains("CRITICAL")),
            "rollback SUCCESS, the incident issue and the CRITICAL alert in Telegram");

        var rollback = Assert.Single(RailwayFake.Deployments, d => d.RollbackOf == lastGood);
        Assert.Equal(DeploymentStatus.Success, rollback.Status);
        Assert.Equal(1, RailwayCalls("deploymentRollback"));
        Assert.Equal(1, RailwayCalls("buildLogs"));
        var issue = Assert.Single(GitHubFake.Issues(Owner, RepoName));
        Assert.Contains("TS2345", issue.Body);
        Assert.Contains(broken, issue.Body);
        Assert.Contains("build of", issue.Title);
        var telegram = Assert.Single(AlertChatMessages);
        Assert.Contains("TS2345", telegram.Text);
        // A secret printed by the build is masked before it reaches the journal, Telegram or GitHub.
        Assert.Contains("[REDACTED]", issue.Body);
        Assert.DoesNotContain(LeakedSecret, issue.Body);
        Assert.DoesNotContain(LeakedSecret, telegram.Text);
        Assert.DoesNotContain(AuditTrail(), e => e.ToString()!.Contains(LeakedSecret));
        var failed = Assert.Single(RailwayFake.Deployments, d => d.CommitHash == broken);
        AssertInOrder(AuditTrail(),
            ("FAILED observed with its build log read", e => e is Observed { Kind: "deployment-status", Status: "FAILED" } o
                                                             && o.DeploymentId == failed.Id && o.Summary.Contains("log lines read")),
            ("oriented on the compiler error", e => e is Oriented { Situation: "build-failed" } o && o.Evidence.Contains("TS2345")),
            ("decided", e => e is Decided d && d.Actions.SequenceEqual(["rollback", "alert-critical"])),
            ("rollback requested", e => e is ActionRequested { Action: "rollback" } r && r.DeploymentId == failed.Id),
            ("rollback done", e => e is ActionCompleted c && c.Detail.Contains(lastGood)),
            ("rollback SUCCESS observed", e => e is Observed { Status: "SUCCESS" } o && o.DeploymentId == rollback.Id),
            ("oriented as rollback-succeeded", e => e is Oriented { Situation: "rollback-succeeded" }));

        RailwayFake.ScriptNextDeployment(RailwayService.ServiceId, DeploymentScript.FailBuild(CompilerError));
        PushGreenCommit(orchestrator, "Break the build again");
        AdvanceUntil(
            () => GitHubFake.Issues(Owner, RepoName).Single().Comments.Count == 1,
            "a comment on the open issue");

        Assert.Single(GitHubFake.Issues(Owner, RepoName));
        Assert.Contains("build of", GitHubFake.Issues(Owner, RepoName).Single().Comments.Single());
        Assert.Equal(2, Alerts.Count(a => a.Severity == AlertSeverity.Critical && a.Fingerprint == "api:build-failed"));
        // The failed build never replaced the rollback, which still serves: nothing to roll back this time.
        Assert.Equal(1, RailwayCalls("deploymentRollback"));
    }
}
