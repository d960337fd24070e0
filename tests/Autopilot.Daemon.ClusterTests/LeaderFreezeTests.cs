using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.ClusterHarness.Processes;
using Autopilot.Daemon.Hosting;

namespace Autopilot.Daemon.ClusterTests;

/// <summary>
/// The leader freezes (SIGSTOP, as in a long GC pause or a suspended VM) with the rollback's answer waiting in its
/// socket, a standby takes over and finishes the incident, then the old leader wakes up (SIGCONT) believing it
/// still leads.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class LeaderFreezeTests(ThrowawayPostgres server, ITestOutputHelper output) : FailoverScenario(server, output)
{
    [Fact]
    public Task A_leader_woken_after_a_takeover_neither_writes_nor_calls_a_platform_and_exits() =>
        RunAsync("leader-freeze", async cluster =>
        {
            var rollback = await StartRollbackAsync(cluster);
            var frozen = rollback.Before.Node;

            frozen.Signal(PosixSignal.Stop);
            // Railway answers now; the frozen leader will read the answer only when it wakes up.
            rollback.Answer.Release();
            var delivery = await DeliverWithoutLeaderAsync(cluster, rollback);
            await WaitForTakeoverAsync(cluster, rollback);
            await WaitUntilRollbackSettledAsync(cluster, rollback);
            await cluster.WaitForAuditAsync(e => e.Is<ExternalEventReceived>() && e.PersistenceId == "orchestrator" && e.Field("deliveryId") == delivery,
                "the webhook accepted during the freeze to reach the new leader", Deadline);

            var wokenAt = TimeProvider.System.GetUtcNow();
            frozen.Signal(PosixSignal.Continue);
            var exitCode = await frozen.WaitForExitAsync(Deadline);

            // Downed while frozen: it must notice, stop acting and exit for its supervisor to restart it.
            Assert.Equal(DaemonExitCodes.Downed, exitCode);
            Assert.DoesNotContain(cluster.Platforms.RequestsBy(frozen.Credentials), r => r.ReceivedAt >= wokenAt);
            // Whatever it tried to record about the rollback it had asked for would be a second outcome in the trail.
            await AssertIncidentHandledExactlyOnceAsync(cluster, rollback);
            await AssertDeliveredOnceAsync(cluster, delivery);
        });
}
