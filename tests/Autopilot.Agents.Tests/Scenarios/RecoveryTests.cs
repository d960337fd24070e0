using System.Collections.Concurrent;
using Autopilot.Actors;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Railway;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Scenarios;

/// <summary>Scenario 8: the orchestrator dies between ActionRequested and the platform's answer.</summary>
public sealed class RecoveryTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    [Fact]
    public async Task After_a_restart_an_unanswered_rollback_is_reconciled_with_Railway_and_not_sent_again()
    {
        var lastGood = RailwayFake.SeedDeployment(
            RailwayService.ServiceId, RailwayService.EnvironmentId, new string('1', 40), DeploymentStatus.Removed, Time.GetUtcNow().AddHours(-2));
        RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('2', 40), DeploymentStatus.Success, Time.GetUtcNow().AddHours(-1));

        // First life: the Railway worker is a recorder, so the rollback command is received but never answered.
        var commands = new ConcurrentQueue<object>();
        var first = StartOrchestrator(railway: RecordingActor.Props(commands));
        Assert.True((await first.Ask<ControlAck>(new SetDryRun(true), TimeSpan.FromSeconds(10))).Accepted);
        Assert.True((await first.Ask<ControlAck>(new SetDryRun(false), TimeSpan.FromSeconds(10))).Accepted);
        Assert.True((await first.Ask<ControlAck>(new PauseAutopilot("carol"), TimeSpan.FromSeconds(10))).Accepted);
        Assert.True((await first.Ask<ControlAck>(new ResumeAutopilot("carol"), TimeSpan.FromSeconds(10))).Accepted);
        var ack = await first.Ask<ControlAck>(new RequestRollback(Service, "alice"), TimeSpan.FromSeconds(10));
        Assert.True(ack.Accepted, ack.Message);
        AwaitCondition(() => commands.OfType<RollbackService>().Any());
        var command = commands.OfType<RollbackService>().Single();

        // The side effect reaches Railway (as the worker would have done it); then the orchestrator dies before the answer.
        Assert.True(await RailwayClient.RollbackAsync(lastGood));
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);
        Time.Advance(TimeSpan.FromSeconds(5));

        // Second life, with the real worker: recovery asks Railway what happened instead of rolling back again.
        var second = StartOrchestrator();
        await AdvanceUntilAuditAsync<ActionCompleted>(c => c.ActionId == command.ActionId, "the reconciled rollback");

        Assert.Equal(1, RailwayCalls("deploymentRollback"));
        var completed = Assert.Single(AuditTrail().OfType<ActionCompleted>(), c => c.ActionId == command.ActionId);
        Assert.Contains("took effect", completed.Detail);
        Assert.Single(AuditTrail().OfType<ActionRequested>(), r => r.Action == "rollback");
        var status = await second.Ask<OrchestratorStatus>(new GetOrchestratorStatus(), TimeSpan.FromSeconds(10));
        Assert.Equal(0, status.PendingActions);
        // The world model came back from the journal: the rollback counts against the budget, the mode is as left.
        Assert.Equal(1, Assert.Single(status.Services).ActionsInLastHour);
        Assert.False(status.Paused);
        Assert.False(status.DryRun);
    }
}
