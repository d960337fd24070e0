using Akka.Actor;
using Akka.Configuration;
using Autopilot.Agents.Configuration;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Orchestrator;

/// <summary>Pause, resume, drills, acknowledgements and the status query.</summary>
public sealed class ControlTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_paused_autopilot_records_what_it_would_do_and_acts_again_once_resumed()
    {
        RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('1', 40), DeploymentStatus.Success, Clock.GetUtcNow().AddHours(-1));
        var orchestrator = StartOrchestrator();

        Assert.True((await orchestrator.Ask<ControlAck>(new PauseAutopilot("alice"), AskTimeout)).Accepted);
        Assert.True((await orchestrator.Ask<OrchestratorStatus>(new GetOrchestratorStatus(), AskTimeout)).Paused);
        PushGreenCommit(orchestrator, "While paused");
        AdvanceUntilAudit<Decided>(d => d.Situation == "checks-passed", "the paused decision");
        var paused = Assert.Single(AuditTrail().OfType<Decided>(), d => d.Situation == "checks-passed");
        Assert.Empty(paused.Actions);
        Assert.Contains("paused", paused.Reason);
        Assert.False((await orchestrator.Ask<ControlAck>(new RequestRollback(Service, "bob"), AskTimeout)).Accepted);

        Assert.True((await orchestrator.Ask<ControlAck>(new ResumeAutopilot("alice"), AskTimeout)).Accepted);
        var sha = PushGreenCommit(orchestrator, "After resuming");
        AdvanceUntil(() => RailwayFake.Deployments.Any(d => d.CommitHash == sha), "the deploy after resuming");

        Assert.Equal(1, RailwayCalls("serviceInstanceDeployV2"));
        AssertInOrder(AuditTrail(),
            ("paused", e => e is AutopilotModeChanged { Change: "paused", By: "alice" }),
            ("resumed", e => e is AutopilotModeChanged { Change: "resumed" }),
            ("deployed", e => e is ActionRequested { Action: "deploy" } r && r.Commit == sha));
    }

    [Fact]
    public async Task A_drill_says_what_the_policy_would_do_without_doing_it()
    {
        var orchestrator = StartOrchestrator();

        var drill = await orchestrator.Ask<ControlAck>(new RunDrill("build-failed"), AskTimeout);
        var unknown = await orchestrator.Ask<ControlAck>(new RunDrill("meteor-strike"), AskTimeout);
        var acknowledge = await orchestrator.Ask<ControlAck>(new AcknowledgeIncident("inc-missing", "alice"), AskTimeout);

        Assert.True(drill.Accepted);
        Assert.Contains("rollback, alert-critical", drill.Message);
        Assert.False(unknown.Accepted);
        Assert.Contains("build-failed", unknown.Message);
        Assert.False(acknowledge.Accepted);
        var decided = Assert.Single(AuditTrail().OfType<Decided>());
        Assert.True(decided.DryRun);
        Assert.Empty(AuditTrail().OfType<ActionRequested>());
        Assert.DoesNotContain(RailwayFake.Calls, c => c.RootFields.Contains("deploymentRollback"));
    }

    [Fact]
    public void The_worker_backoff_doubles_up_to_its_maximum()
    {
        var settings = AgentsSettings.FromConfig(Config.Empty).Orchestrator;

        Assert.Equal(TimeSpan.FromSeconds(1), settings.WorkerBackoff(1));
        Assert.Equal(TimeSpan.FromSeconds(8), settings.WorkerBackoff(4));
        Assert.Equal(TimeSpan.FromMinutes(1), settings.WorkerBackoff(20));
        var error = Assert.Throws<SettingException>(() =>
            AgentsSettings.FromConfig(ConfigurationFactory.ParseString("autopilot.agents.orchestrator.worker-backoff { min = 10s, max = 1s }")));
        Assert.Equal("autopilot.agents.orchestrator.worker-backoff", error.Key);
    }
}
