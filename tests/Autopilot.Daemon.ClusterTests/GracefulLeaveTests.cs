using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Daemon.ClusterHarness.Processes;
using Autopilot.Daemon.Hosting;

namespace Autopilot.Daemon.ClusterTests;

/// <summary>The leader is stopped gracefully (SIGTERM, as a rolling deploy does) while its rollback is unanswered.</summary>
[Collection(ClusterCollection.Name)]
public sealed class GracefulLeaveTests(ThrowawayPostgres server, ITestOutputHelper output) : FailoverScenario(server, output)
{
    [Fact]
    public Task A_leaving_leader_hands_over_despite_an_unanswered_rollback_exits_cleanly_and_nothing_happens_twice() =>
        RunAsync("graceful-leave", async cluster =>
        {
            var rollback = await StartRollbackAsync(cluster);
            var leaving = rollback.Before.Node;

            leaving.Signal(PosixSignal.Terminate);
            // The leaving leader waits for its in-flight rollback only as long as its shutdown allows, then releases the
            // lease: a standby must lead while Railway's answer is still held, so the hand-over never hangs on a platform.
            var after = await WaitForTakeoverAsync(cluster, rollback);
            rollback.Answer.Release();

            Assert.Equal(DaemonExitCodes.Stopped, await leaving.WaitForExitAsync(Deadline));
            var member = (await after.Node.ClusterViewAsync()).Member(leaving.NodeId);
            Assert.NotNull(member);
            Assert.NotEqual("down", member.Status);
            await WaitUntilRollbackSettledAsync(cluster, rollback);
            await AssertIncidentHandledExactlyOnceAsync(cluster, rollback);
        });
}
