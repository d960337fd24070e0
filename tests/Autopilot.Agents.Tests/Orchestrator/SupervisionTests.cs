using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Autopilot.Simulator.Railway;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Orchestrator;

/// <summary>A worker that throws is restarted alone after a backoff; its in-flight action is recorded as failed and the loop carries on.</summary>
public sealed class SupervisionTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    /// <summary>The crash treated as transient is restarted without asking (65 is in the default review band of restart).</summary>
    protected override string ExtraConfig => "autopilot.agents.confidence.actions.restart.act = 60";

    [Fact]
    public async Task A_throwing_worker_is_restarted_its_action_fails_and_the_other_workers_carry_on()
    {
        RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('1', 40), DeploymentStatus.Success, Clock.GetUtcNow().AddHours(-1));
        var incarnations = new Incarnations();
        var orchestrator = StartOrchestrator(health: FlakyHealthWorker.Props(incarnations));

        RailwayFake.ScriptNextDeployment(RailwayService.ServiceId, DeploymentScript.Crash("Error: connect ECONNREFUSED 10.0.0.5:5432"));
        PushGreenCommit(orchestrator, "Talk to the new database");
        AdvanceUntilAudit<Oriented>(o => o.Situation == "dependency-down", "the dependency to be blamed");

        Assert.Equal(2, incarnations.Count);
        var checks = AuditTrail().OfType<ActionRequested>().Where(r => r.Action == "check-dependencies").Select(r => r.ActionId).ToArray();
        Assert.Equal(2, checks.Length);
        var interrupted = Assert.Single(AuditTrail().OfType<ActionFailed>(), f => f.ActionId == checks[0]);
        Assert.Contains("InvalidOperationException", interrupted.Error);
        Assert.Contains("restarted after", interrupted.Error);
        // The crash could not be blamed on a dependency, so it was treated as the service's own: the Railway worker restarted it.
        Assert.Equal(1, RailwayCalls("deploymentRestart"));
        var alert = Assert.Single(Alerts, a => a.Severity == AlertSeverity.Critical);
        Assert.Contains("postgres", alert.Body);
        AssertInOrder(AuditTrail(),
            ("refused connections", e => e is Oriented { Situation: "crashed-connection-refused" }),
            ("interrupted check failed", e => e is ActionFailed f && f.ActionId == checks[0]),
            ("treated as transient", e => e is Oriented { Situation: "crashed-transient" }),
            ("restart", e => e is ActionCompleted { Worker: "railway" } c && c.Detail.Contains("restarted")),
            ("refused again", e => e is Oriented { Situation: "crashed-connection-refused" }),
            ("the second check finds postgres down", e => e is ActionFailed f && f.ActionId == checks[1] && f.Error.Contains("postgres")),
            ("dependency blamed", e => e is Oriented { Situation: "dependency-down" }));
    }
}
