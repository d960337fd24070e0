using Akka.Actor;
using Akka.Pattern;
using Akka.Persistence.Journal;
using Akka.TestKit;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Orchestrator;

/// <summary>
/// The journal misbehaves (Akka.Persistence.TestKit's <c>TestJournal</c>): writes that fail or are rejected, recoveries
/// that fail. The orchestrator, as the tree starts it (under its backoff supervisor), survives each, keeps everything it
/// acknowledged, and repeats no action it took.
/// </summary>
public sealed class JournalFaultTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    private IActorRef StartTree() => AutopilotTree.Start(Sys, Configuration(), new AutopilotClients(RailwayClient, GitHubClient, Telegram: TelegramClient));

    private IActorRef? CurrentChild(IActorRef supervisor) =>
        supervisor.Ask<BackoffSupervisor.CurrentChild>(BackoffSupervisor.GetCurrentChild.Instance, AskTimeout).GetAwaiter().GetResult().Ref;

    /// <summary>Waits until the supervisor has seen its child stop (and so has scheduled the next start).</summary>
    private void AwaitChildGone(IActorRef supervisor) => AwaitAssert(() => Assert.Null(CurrentChild(supervisor)));

    private IActorRef AdvanceUntilChildRuns(IActorRef supervisor)
    {
        IActorRef? child = null;
        AdvanceUntil(() => (child = CurrentChild(supervisor)) is not null, "the orchestrator started again");
        return child!;
    }

    [Fact]
    public async Task A_rejected_write_is_not_applied_and_the_orchestrator_starts_again_after_a_pause_from_what_the_journal_holds()
    {
        var orchestrator = StartTree();
        Assert.True((await orchestrator.Ask<ControlAck>(new SetDryRun(true), AskTimeout)).Accepted);
        var child = (await orchestrator.Ask<BackoffSupervisor.CurrentChild>(BackoffSupervisor.GetCurrentChild.Instance, AskTimeout)).Ref!;

        // The journal refuses the pause (as a database refuses a row it cannot store): the orchestrator drops the model
        // it had already changed and stops; its backoff supervisor starts it again from the journal after the pause.
        await JournalFaults.OnWrite.RejectIf(p => (p.Payload is Tagged tagged ? tagged.Payload : p.Payload) is AutopilotModeChanged { Change: "paused" });
        EventFilter.Error(contains: "journal refused").ExpectOne(() => orchestrator.Tell(new PauseAutopilot("erin"), TestActor));
        await JournalFaults.OnWrite.Pass();
        AwaitChildGone(orchestrator);
        var restarted = AdvanceUntilChildRuns(orchestrator);

        var status = await orchestrator.Ask<OrchestratorStatus>(new GetOrchestratorStatus(), AskTimeout);
        Assert.NotEqual(child, restarted);
        Assert.True(status.DryRun);
        Assert.False(status.Paused);
        Assert.True((await orchestrator.Ask<ControlAck>(new PauseAutopilot("erin"), AskTimeout)).Accepted);
        Assert.True((await orchestrator.Ask<OrchestratorStatus>(new GetOrchestratorStatus(), AskTimeout)).Paused);
        Assert.Single(AuditTrail().OfType<AutopilotModeChanged>(), m => m.Change == "paused");
    }

    [Fact]
    public async Task A_failed_recovery_stops_the_orchestrator_and_it_is_started_again_once_the_journal_reads_again()
    {
        var orchestrator = StartTree();
        Assert.True((await orchestrator.Ask<ControlAck>(new SetDryRun(true), AskTimeout)).Accepted);
        var first = CurrentChild(orchestrator)!;

        // The database cannot be read: the orchestrator is stopped (here: dies), its next life cannot recover and stops too.
        await JournalFaults.OnRecovery.Fail();
        Watch(first);
        first.Tell(PoisonPill.Instance);
        ExpectTerminated(first);
        AwaitChildGone(orchestrator);
        EventFilter.Error(contains: "replaying events").ExpectOne(() => Scheduler.Advance(AutopilotTree.RestartBackoffMax));
        AwaitChildGone(orchestrator);

        // The database is back: the next start recovers everything that was acknowledged.
        await JournalFaults.OnRecovery.Pass();
        var second = AdvanceUntilChildRuns(orchestrator);
        var status = await orchestrator.Ask<OrchestratorStatus>(new GetOrchestratorStatus(), AskTimeout);

        Assert.NotEqual(first, second);
        Assert.True(status.DryRun);
        Assert.Single(AuditTrail().OfType<AutopilotModeChanged>(), m => m.Change == "dry-run-on");
    }

    [Fact]
    public async Task After_a_write_outage_an_action_taken_before_it_is_not_repeated_and_an_unrecorded_delivery_is_not_lost()
    {
        RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('a', 40), DeploymentStatus.Success, Clock.GetUtcNow().AddHours(-1));
        var orchestrator = StartTree();
        var sha = PushGreenCommit(orchestrator, "Add the search endpoint");
        AdvanceUntilAudit<ActionCompleted>(c => c.Worker == "railway", "the deploy");
        var first = CurrentChild(orchestrator)!;

        // The database goes away while a webhook is handed over: it cannot be recorded, so it is not acknowledged.
        await JournalFaults.OnWrite.Fail();
        Watch(first);
        orchestrator.Tell(GitHubPing("delivery-during-outage"), TestActor);
        ExpectTerminated(first);
        await JournalFaults.OnWrite.Pass();
        AdvanceUntilChildRuns(orchestrator);

        // The restarted orchestrator hears about the deployed commit again (its GitHub worker polls the branch).
        orchestrator.Tell(new WorkerReport(WorkerNames.GitHub, new CommitChecksCompleted($"{Owner}/{RepoName}", "main", sha, true, null, Clock.GetUtcNow())));
        var redelivered = await orchestrator.Ask<ControlAck>(GitHubPing("delivery-during-outage"), AskTimeout);

        Assert.Contains("accepted", redelivered.Message);
        Assert.Equal(1, RailwayCalls("serviceInstanceDeployV2"));
        Assert.Single(AuditTrail().OfType<ActionRequested>(), r => r.Action == "deploy");
        Assert.Single(AuditTrail().OfType<ExternalEventReceived>(), e => e.DeliveryId == "delivery-during-outage");
    }
}
