using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.ClusterHarness.Processes;

namespace Autopilot.Daemon.ClusterTests;

/// <summary>The leader dies (SIGKILL) after Railway performed its rollback but before it heard back.</summary>
[Collection(ClusterCollection.Name)]
public sealed class LeaderCrashTests(ThrowawayPostgres server, ITestOutputHelper output) : FailoverScenario(server, output)
{
    [Fact]
    public Task A_standby_takes_over_a_rollback_the_killed_leader_left_unanswered_and_nothing_happens_twice() =>
        RunAsync("leader-crash", async cluster =>
        {
            var rollback = await StartRollbackAsync(cluster);

            rollback.Before.Node.Signal(PosixSignal.Kill);
            await rollback.Before.Node.WaitForExitAsync(Deadline);
            rollback.Answer.Release();
            var delivery = await DeliverWithoutLeaderAsync(cluster, rollback);

            await WaitForTakeoverAsync(cluster, rollback);
            await WaitUntilRollbackSettledAsync(cluster, rollback);
            await cluster.WaitForAuditAsync(e => e.Is<ExternalEventReceived>() && e.PersistenceId == "orchestrator" && e.Field("deliveryId") == delivery,
                "the webhook accepted without a leader to reach the new one", Deadline);
            await AssertIncidentHandledExactlyOnceAsync(cluster, rollback);
            await AssertDeliveredOnceAsync(cluster, delivery);
        });
}
