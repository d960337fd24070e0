using Akka.Actor;
using Akka.Pattern;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Orchestrator;

/// <summary>The tree as the daemon builds it: configuration plus clients, nothing hand-wired.</summary>
public sealed class AutopilotTreeTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    [Fact]
    public async Task The_tree_built_from_configuration_deploys_a_green_commit_and_alerts_through_its_own_outbox()
    {
        RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('1', 40), DeploymentStatus.Success, Clock.GetUtcNow().AddHours(-1));
        var orchestrator = AutopilotTree.Start(Sys, Configuration(), new AutopilotClients(RailwayClient, GitHubClient, Telegram: TelegramClient));

        var status = await orchestrator.Ask<OrchestratorStatus>(new GetOrchestratorStatus(), TimeSpan.FromSeconds(10));
        Assert.Equal(Service, Assert.Single(status.Services).Service);
        Assert.Equal(AutopilotTree.OrchestratorName, orchestrator.Path.Name);

        RailwayFake.ScriptNextDeployment(RailwayService.ServiceId, Autopilot.Simulator.Railway.DeploymentScript.Crash("FATAL ERROR: JavaScript heap out of memory"));
        var sha = PushGreenCommit(orchestrator, "Cache everything");
        // The alerts worker delivers to Telegram and GitHub concurrently: wait for both channels.
        AdvanceUntil(
            () => AlertChatMessages.Any(m => m.Text.Contains("scale up")) && GitHubFake.Issues(Owner, RepoName).Any(i => i.Title.Contains("scale up")),
            "the CRITICAL alert delivered to Telegram and GitHub by the tree's alerts worker");

        Assert.Single(RailwayFake.Deployments, d => d.CommitHash == sha);
        Assert.Contains(GitHubFake.Issues(Owner, RepoName), i => i.Title.Contains("scale up"));
        Assert.Contains(AuditTrail(), e => e is Decided { Situation: "crashed-out-of-memory" });
    }

    [Fact]
    public async Task When_the_journal_cannot_write_the_orchestrator_is_started_again_from_its_journal_after_a_backoff()
    {
        var orchestrator = AutopilotTree.Start(Sys, Configuration(), new AutopilotClients(RailwayClient, GitHubClient, Telegram: TelegramClient));
        Assert.True((await orchestrator.Ask<ControlAck>(new SetDryRun(true), TimeSpan.FromSeconds(10))).Accepted);
        var first = (await orchestrator.Ask<BackoffSupervisor.CurrentChild>(BackoffSupervisor.GetCurrentChild.Instance, TimeSpan.FromSeconds(10))).Ref!;

        // The database goes away: the pause cannot be recorded, so the orchestrator stops instead of answering.
        await JournalFaults.OnWrite.Fail();
        Watch(first);
        orchestrator.Tell(new PauseAutopilot("erin"), TestActor);
        ExpectTerminated(first);
        await JournalFaults.OnWrite.Pass();
        IActorRef? second = null;
        AdvanceUntil(() =>
        {
            second = orchestrator.Ask<BackoffSupervisor.CurrentChild>(BackoffSupervisor.GetCurrentChild.Instance, TimeSpan.FromSeconds(10)).GetAwaiter().GetResult().Ref;
            return second is not null;
        }, "the orchestrator started again");

        // It came back from the journal: the recorded dry-run holds, the unrecorded pause never happened, and it works.
        var status = await orchestrator.Ask<OrchestratorStatus>(new GetOrchestratorStatus(), TimeSpan.FromSeconds(10));
        Assert.NotEqual(first, second);
        Assert.True(status.DryRun);
        Assert.False(status.Paused);
        Assert.True((await orchestrator.Ask<ControlAck>(new PauseAutopilot("erin"), TimeSpan.FromSeconds(10))).Accepted);
        Assert.Single(AuditTrail().OfType<AutopilotModeChanged>(), m => m.Change == "paused");
    }
}
