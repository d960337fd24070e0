using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Autopilot.Simulator.Railway;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Scenarios;

/// <summary>
/// Issue 18, item 7: the orchestrator dies after it recorded the rollback as requested and Railway applied it, before
/// Railway's answer arrived. After the restart and its reconciliation the audit trail tells one incident, as the one
/// issue and the one alert do.
/// </summary>
public sealed class RestartMidRollbackTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    private const string CompilerError = "src/search.ts(42,7): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'.";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_restart_between_the_rollback_call_and_its_answer_leaves_one_incident_opened_one_issue_and_one_alert(bool rollbackUpBeforeTheRestart)
    {
        var lastGood = RailwayFake.SeedDeployment(
            RailwayService.ServiceId, RailwayService.EnvironmentId, new string('1', 40), DeploymentStatus.Removed, Clock.GetUtcNow().AddHours(-2));
        var hold = RailwayFake.HoldAnswersTo("deploymentRollback");
        var first = StartOrchestrator();

        RailwayFake.ScriptNextDeployment(RailwayService.ServiceId, DeploymentScript.FailBuild(CompilerError));
        PushGreenCommit(first, "Break the build");
        // The alert went out and was recorded before the kill (a kill during its delivery is the outbox's own window).
        AdvanceUntil(() => hold.Applied == 1 && AuditTrail().OfType<AlertSent>().Any(a => a.Severity == AlertSeverity.Critical),
            "the rollback applied by Railway (its answer held) and the CRITICAL alert sent");

        if (rollbackUpBeforeTheRestart)
        {
            AdvanceUntil(() => RailwayFake.Deployments.Any(d => d.RollbackOf == lastGood && d.Status == DeploymentStatus.Success), "the rollback deployment up");
        }

        // Killed between the recorded request and its answer.
        var rollback = Assert.Single(AuditTrail().OfType<ActionRequested>(), r => r.Action == "rollback");
        Assert.DoesNotContain(AuditTrail(), e => e is ActionCompleted c && c.ActionId == rollback.ActionId || e is ActionFailed f && f.ActionId == rollback.ActionId);
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);
        hold.Release();

        // Second life: reconciliation finds the rollback Railway made, watches it up, and the incident resolves.
        StartOrchestrator();
        AdvanceUntil(
            () => AuditTrail() is var trail
                  && trail.Any(e => e is ActionCompleted c && c.ActionId == rollback.ActionId || e is ActionFailed f && f.ActionId == rollback.ActionId)
                  && trail.OfType<Oriented>().Any(o => o.Situation == "rollback-succeeded")
                  && trail.OfType<IncidentUpdated>().Any(u => u.Change == "resolved")
                  && GitHubFake.Issues(Owner, RepoName).Count == 1
                  && AlertChatMessages.Any(m => m.Text.Contains("CRITICAL")),
            "the reconciled rollback, its SUCCESS, the resolved incident, the issue and the CRITICAL alert");

        var trail = AuditTrail();
        foreach (var e in trail) output.WriteLine(e.ToString());
        Assert.Equal(1, RailwayCalls("deploymentRollback"));
        Assert.Single(RailwayFake.Deployments, d => d.RollbackOf == lastGood);
        Assert.Single(GitHubFake.Issues(Owner, RepoName));
        Assert.Single(AlertChatMessages);
        var opened = Assert.Single(trail.OfType<IncidentOpened>());
        Assert.Equal("api:build-failed", opened.Fingerprint);
        Assert.Contains(trail, e => e is ActionCompleted c && c.ActionId == rollback.ActionId && c.Detail.Contains("took effect"));
        Assert.Contains(trail.OfType<IncidentUpdated>(), u => u.IncidentId == opened.IncidentId && u.Change == "resolved");
    }
}
