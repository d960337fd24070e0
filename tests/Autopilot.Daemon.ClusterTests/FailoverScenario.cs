using System.Net;
using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Actors.TestKit;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.ClusterHarness.Audit;
using Autopilot.Daemon.ClusterHarness.Cluster;
using Autopilot.Daemon.ClusterHarness.Platforms;

namespace Autopilot.Daemon.ClusterTests;

/// <summary>
/// The incident every fail-over scenario runs through three real daemon processes: a developer ships a release that
/// crashes; the leader restarts it once, it crashes again, and the leader rolls back to the last good deployment,
/// opens an incident issue and sends a CRITICAL alert. Each scenario disturbs the leader while Railway's answer to
/// the rollback is held back, then checks that the cluster still did everything exactly once.
/// </summary>
public abstract class FailoverScenario(ThrowawayPostgres server, ITestOutputHelper output)
{
    /// <summary>Generous (and scaled by <c>AUTOPILOT_TEST_TIMEFACTOR</c>): only turns a hang into a failure, never judges speed.</summary>
    protected static readonly TimeSpan Deadline = TestKitSettings.Default.Dilated(TimeSpan.FromSeconds(90));

    /// <summary>Runs <paramref name="scenario"/> on a fresh three-node cluster; on failure, prints the nodes' logs, the fakes' view and the trail.</summary>
    protected async Task RunAsync(string purpose, Func<DaemonCluster, Task> scenario)
    {
        await using var cluster = await DaemonCluster.StartAsync(server, new DaemonClusterOptions { Purpose = purpose });
        try
        {
            await scenario(cluster);
        }
        catch
        {
            output.WriteLine(await cluster.DescribeAsync());
            throw;
        }
    }

    /// <summary>
    /// Drives the incident up to the rollback: Railway has applied it and holds the answer. The CRITICAL alert is
    /// already delivered by then (awaited here), so the disturbance hits the rollback and nothing else.
    /// </summary>
    protected static async Task<RollbackInFlight> StartRollbackAsync(DaemonCluster cluster)
    {
        var before = await cluster.WaitForLeaderAsync();
        var answer = cluster.Platforms.Railway.HoldAnswersTo("deploymentRollback");
        var crashing = await cluster.Platforms.ShipCrashingReleaseAsync();

        // Railway's deploy webhook reaches a standby: it goes through the shared inbox to the leader.
        var standby = cluster.Nodes.First(n => n != before.Node);
        Assert.Equal(HttpStatusCode.Accepted, await cluster.SendRailwayWebhookAsync(standby, crashing, $"deploy-{crashing}"));

        await Eventually.UntilAsync(() => answer.Reached.IsCompleted, "Railway to receive the rollback", Deadline);
        var requested = await cluster.WaitForAuditAsync(e => e.Is<ActionRequested>() && e.Field("action") == "rollback", "the rollback's ActionRequested", Deadline);
        await cluster.WaitForAuditAsync(e => e.Is<AlertSent>() && e.Field("severity") == "Critical", "the CRITICAL alert to be delivered", Deadline);
        Assert.False(before.Node.HasExited, $"{before.Node.NodeId} was expected to lead throughout, but it exited with {before.Node.ExitCode}.");
        Assert.Equal(before.Node.NodeId, (await before.Node.ClusterViewAsync()).Leader);
        var rollbackDeployment = Assert.Single(cluster.Platforms.Railway.Deployments, d => d.RollbackOf is not null);
        return new RollbackInFlight(before, answer, requested.Field("actionId")!, crashing, rollbackDeployment.Id);
    }

    /// <summary>
    /// Delivers Railway's webhook about the rollback deployment to a standby while the cluster has no working leader:
    /// the durable inbox must keep it for whoever leads next. Returns the delivery id.
    /// </summary>
    protected static async Task<string> DeliverWithoutLeaderAsync(DaemonCluster cluster, RollbackInFlight rollback)
    {
        var standby = cluster.Nodes.First(n => n != rollback.Before.Node && n.IsResponsive);
        var deliveryId = $"during-failover-{rollback.RollbackDeploymentId}";
        Assert.Equal(HttpStatusCode.Accepted, await cluster.SendRailwayWebhookAsync(standby, rollback.RollbackDeploymentId, deliveryId));
        return deliveryId;
    }

    /// <summary>
    /// The delivery reached the orchestrator exactly once (the intake's and the orchestrator's record of it, once
    /// each) and the inbox holds nothing unhandled.
    /// </summary>
    protected static async Task AssertDeliveredOnceAsync(DaemonCluster cluster, string deliveryId)
    {
        var entries = await cluster.AuditEntriesAsync();
        var received = entries.Where(e => e.Is<ExternalEventReceived>() && e.Field("deliveryId") == deliveryId).ToArray();
        Assert.Contains(received, e => e.PersistenceId == "orchestrator");
        Assert.All(received.GroupBy(e => e.PersistenceId), stream => Assert.Single(stream));
        var view = await cluster.Nodes.First(n => n.IsResponsive).ClusterViewAsync();
        Assert.Equal(0, view.InboxPending);
    }

    /// <summary>
    /// Waits for a leader other than the disturbed one: its lease token must be higher (a new acquisition), and the
    /// hand-over must be on the audit trail.
    /// </summary>
    protected static async Task<Leadership> WaitForTakeoverAsync(DaemonCluster cluster, RollbackInFlight rollback)
    {
        var after = await cluster.WaitForLeaderAsync(except: rollback.Before.Node, deadline: Deadline);
        Assert.True(after.Token > rollback.Before.Token,
            $"{after.Node.NodeId} leads with fencing token {after.Token}, which is not above the old leader's {rollback.Before.Token}.");
        await cluster.WaitForAuditAsync(e => e.Is<SingletonStarted>() && e.Field("node") == after.Node.NodeId && e.NumberField("token") == after.Token,
            $"the hand-over to {after.Node.NodeId} on the audit trail", Deadline);
        return after;
    }

    /// <summary>
    /// Waits until the rollback has an outcome in the trail and the leader has seen the rolled-back deployment come
    /// up, so nothing the incident should cause is still on its way.
    /// </summary>
    protected static async Task WaitUntilRollbackSettledAsync(DaemonCluster cluster, RollbackInFlight rollback)
    {
        await cluster.WaitForAuditAsync(e => (e.Is<ActionCompleted>() || e.Is<ActionFailed>()) && e.Field("actionId") == rollback.RollbackActionId,
            $"an outcome of rollback {rollback.RollbackActionId}", Deadline);
        await cluster.WaitForAuditAsync(e => e.Is<Observed>() && e.Field("deploymentId") == rollback.RollbackDeploymentId && e.Field("status") == "SUCCESS",
            $"the leader to see rollback deployment {rollback.RollbackDeploymentId} up", Deadline);
    }

    /// <summary>
    /// The cluster did everything once: one restart and one rollback on Railway, one incident issue (no comment from
    /// a repeated delivery) and one Telegram message, one incident in the trail, the rollback completed, and an
    /// audit trail without gap or duplicate.
    /// </summary>
    protected static async Task AssertIncidentHandledExactlyOnceAsync(DaemonCluster cluster, RollbackInFlight rollback)
    {
        var platforms = cluster.Platforms;
        Assert.Single(platforms.RailwayCalls("deploymentRestart"));
        Assert.Single(platforms.RailwayCalls("deploymentRollback"));
        var rolledBack = Assert.Single(platforms.Railway.Deployments, d => d.RollbackOf is not null);
        Assert.Equal(platforms.LastGoodDeploymentId, rolledBack.RollbackOf);
        var issue = Assert.Single(platforms.Issues);
        Assert.Contains("crashed again", issue.Title);
        Assert.Empty(issue.Comments);
        var alert = Assert.Single(platforms.AlertMessages);
        Assert.Contains("CRITICAL", alert.Text);

        var trail = await cluster.ReadAuditTrailAsync();
        Assert.Empty(trail.Violations());
        Assert.Single(trail.OfType<IncidentOpened>(), e => e.Field("fingerprint") == $"{PlatformFakes.ServiceName}:crashed-again");
        var outcome = Assert.Single(trail.Entries, e => (e.Is<ActionCompleted>() || e.Is<ActionFailed>()) && e.Field("actionId") == rollback.RollbackActionId);
        Assert.True(outcome.Is<ActionCompleted>(), $"The rollback was recorded as failed: {outcome}");
    }
}
