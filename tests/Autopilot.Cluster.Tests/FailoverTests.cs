using System.Net;
using Autopilot.Daemon.Tests.Fixtures;
using Xunit.Abstractions;

namespace Autopilot.Cluster.Tests;

/// <summary>
/// Issue 12's proof: three <c>autopilotd</c> processes, one PostgreSQL, one set of fakes. Whatever happens to the node
/// running the singletons (SIGKILL mid-action, SIGSTOP past its lease, a graceful leave) or to PostgreSQL, every
/// accepted delivery is handled exactly once and every side effect happens once at the platform.
/// </summary>
public sealed class FailoverTests(ClusterFixture cluster, ITestOutputHelper output) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task SIGKILL_of_the_singletons_node_mid_rollback_leaves_one_rollback_one_issue_one_alert_and_the_action_closed()
    {
        const string service = "kill-mid-rollback";
        await cluster.EnsureHealthyAsync();
        var (leader, tokenBefore) = await cluster.SingletonHostAsync();
        var platforms = cluster.Platforms;
        var hold = platforms.Railway.HoldAnswersTo("deploymentRollback");
        var sha = platforms.PushCrashingCommit(service, "Listen on the configured port");
        var other = cluster.Live.First(n => n != leader);
        using (var accepted = await other.Client.SendAsync(platforms.WorkflowRunDelivery(service, sha, $"ci-{sha}")))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        // Railway applied the rollback; its answer is held, so the leader is inside the call when it dies.
        await cluster.UntilAsync(async () =>
        {
            await Task.CompletedTask;
            return hold.Applied >= 1 ? null : $"{platforms.DeploymentsOf(sha)} deployment(s) of {sha[..7]}, no rollback yet";
        }, "the rollback applied by Railway (answer held)");
        var rollbackCaller = platforms.Railway.Exchanges.Last(e => e.RequestBody.Contains("deploymentRollback", StringComparison.Ordinal));
        Assert.Contains(leader.Credentials.Railway, rollbackCaller.RequestHeaders["Authorization"], StringComparison.Ordinal);

        leader.Process.Signal(9);
        Assert.Equal(137, await leader.Process.ExitedAsync());
        hold.Release();

        // Fail-over: a survivor holds the orchestrator lease with a larger token, and the rollback's action is closed.
        var survivor = cluster.Live.First();
        IReadOnlyList<AuditEntry> trail = [];
        await cluster.UntilAsync(async () =>
        {
            var view = await ClusterFixture.ViewAsync(survivor);
            var lease = view.Leases["orchestrator"];
            if (!lease.Held || lease.OwnerPort == leader.ClusterPort || lease.Token <= tokenBefore)
            {
                return $"orchestrator lease {lease}";
            }

            trail = await ClusterFixture.AuditAsync(survivor);
            var requested = trail.Where(e => e.Type == "autopilot.action_requested" && e.Field("service") == service && e.Field("action") == "rollback").ToList();
            if (requested.Count == 0)
            {
                return "no rollback requested in the audit trail";
            }

            var closed = trail.Any(e => e.Type is "autopilot.action_completed" or "autopilot.action_failed" && e.Field("actionId") == requested[0].Field("actionId"));
            return closed && platforms.Issues(service) >= 1 && platforms.AlertsAbout(service).Count >= 1
                ? null
                : $"rollback closed: {closed}, issues: {platforms.Issues(service)}, alerts: {platforms.AlertsAbout(service).Count}";
        }, "the fail-over and the rollback's action closed", TimeSpan.FromSeconds(120));

        // Let the new leader settle (its monitors, retries and outbox) before counting: until the rollback deployment is up.
        await cluster.UntilAsync(async () =>
        {
            trail = await ClusterFixture.AuditAsync(survivor);
            return trail.Any(e => e.Type == "autopilot.oriented" && e.Event.GetRawText().Contains("rollback-succeeded", StringComparison.Ordinal)
                                  && e.Field("service") == service)
                ? null
                : "no rollback-succeeded yet";
        }, "the rollback seen up by the new leader", TimeSpan.FromSeconds(60));

        foreach (var e in trail.Where(e => e.Event.GetRawText().Contains(service, StringComparison.Ordinal)))
        {
            output.WriteLine($"{e.Type} {e.Event.GetRawText()}");
        }

        Assert.Equal(1, platforms.Rollbacks(service));
        Assert.Equal(1, platforms.Railway.Exchanges.Count(e => e.RequestBody.Contains("deploymentRollback", StringComparison.Ordinal)
                                                              && e.RequestBody.Contains(platforms.LastGood(service), StringComparison.Ordinal)));
        Assert.Equal(1, platforms.DeploymentsOf(sha));
        Assert.Equal(1, platforms.Issues(service));
        Assert.Single(platforms.AlertsAbout(service).Where(m => m.Text.Contains("CRITICAL", StringComparison.OrdinalIgnoreCase)));
        Assert.Single(trail, e => e.Type == "autopilot.incident_opened" && e.Field("service") == service);
        var rollback = Assert.Single(trail, e => e.Type == "autopilot.action_requested" && e.Field("service") == service && e.Field("action") == "rollback");
        var outcome = Assert.Single(trail, e => e.Type is "autopilot.action_completed" or "autopilot.action_failed" && e.Field("actionId") == rollback.Field("actionId"));
        output.WriteLine($"the cut-off rollback was closed as {outcome.Type}: {outcome.Event.GetRawText()}");
        Assert.Single(trail, e => e.Type == "autopilot.external_event_received" && e.Field("deliveryId") == $"ci-{sha}");
    }
}
