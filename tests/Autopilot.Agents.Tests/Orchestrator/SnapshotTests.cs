using Akka.Actor;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Orchestrator;

/// <summary>
/// The orchestrator snapshots its world model every <c>snapshot-every</c> events and recovers from the newest
/// snapshot plus the events after it, so a restart or fail-over does not replay its whole history.
/// </summary>
public sealed class SnapshotTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    protected override string ExtraConfig => "autopilot.agents.orchestrator.snapshot-every = 3";

    [Fact]
    public async Task A_restart_recovers_mode_and_memory_from_the_newest_snapshot_even_with_the_events_before_it_deleted()
    {
        var first = StartOrchestrator();
        Assert.True((await first.Ask<ControlAck>(new PauseAutopilot("alice"), AskTimeout)).Accepted);
        for (var i = 1; i <= 7; i++)
        {
            Assert.Contains("accepted", (await first.Ask<ControlAck>(GitHubPing($"delivery-{i}"), AskTimeout)).Message);
        }

        // The GitHub worker reports the branch head once when it starts; let that land as well, so that nothing more is
        // journaled (and so no further snapshot is taken) while the last snapshot and its clean-up settle.
        AwaitCondition(() => Journal(Autopilot.Agents.Orchestrator.Orchestrator.DefaultPersistenceId).OfType<Observed>().Any(o => o.Kind == ObservationKinds.CommitPushed));
        var before = await first.Ask<OrchestratorStatus>(new GetOrchestratorStatus(), AskTimeout);
        // Saving a snapshot and then deleting the older ones happen after the answers (in the background of the actor):
        // let them finish before the orchestrator is stopped.
        AwaitAssert(() =>
        {
            var saved = Snapshot(Autopilot.Agents.Orchestrator.Orchestrator.DefaultPersistenceId);
            Assert.True(saved is { Metadata.SequenceNr: >= 6 }, $"snapshot at #{saved?.Metadata.SequenceNr}");
            Assert.Null(Snapshot(Autopilot.Agents.Orchestrator.Orchestrator.DefaultPersistenceId, saved.Metadata.SequenceNr - 1));
        });
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);

        var newest = Snapshot(Autopilot.Agents.Orchestrator.Orchestrator.DefaultPersistenceId);

        Assert.NotNull(newest);
        Assert.True(newest.Metadata.SequenceNr >= 6, $"snapshot at #{newest.Metadata.SequenceNr}");
        Assert.Null(Snapshot(Autopilot.Agents.Orchestrator.Orchestrator.DefaultPersistenceId, newest.Metadata.SequenceNr - 1)); // older ones deleted
        // Only the snapshot can now say that the autopilot is paused and which deliveries it handled.
        DeleteJournal(Autopilot.Agents.Orchestrator.Orchestrator.DefaultPersistenceId, newest.Metadata.SequenceNr);

        var second = StartOrchestrator();
        var after = await second.Ask<OrchestratorStatus>(new GetOrchestratorStatus(), AskTimeout);
        var redelivered = await second.Ask<ControlAck>(GitHubPing("delivery-1"), AskTimeout);
        var fresh = await second.Ask<ControlAck>(GitHubPing("delivery-8"), AskTimeout);

        Assert.True(after.Paused);
        Assert.Equal(before.Services, after.Services);
        Assert.Contains("already handled", redelivered.Message);
        Assert.Contains("accepted", fresh.Message);
    }
}
