using System.Net.Http.Json;
using System.Text.Json;
using Autopilot.Actors.Sql.Cluster;
using Autopilot.Daemon.Tests.Fixtures;

namespace Autopilot.Daemon.Tests.Cluster;

/// <summary>
/// Daemons of one cluster in the test process, all on one PostgreSQL database. Timings are relaxed on purpose: the
/// failure detector never downs a live node on a loaded machine, and the lease outlives any stall; fail-overs in
/// these tests come from an operator's down or a graceful leave, which move the lease at once.
/// </summary>
public static class ClusterNodes
{
    public static string Hocon(string connectionString, string nodeId) => $$"""
        autopilot.daemon.node-name = "{{nodeId}}"
        autopilot.daemon.ask-timeout = 60s
        autopilot.persistence.journal.plugin = postgresql
        autopilot.persistence.journal.postgresql.connection-string = {{JsonSerializer.Serialize(connectionString)}}
        autopilot.cluster {
          enabled = on
          heartbeat-interval = 200ms
          failure-detection-timeout = 120s
          down-removal-margin = 2s
          lease { duration = 30s, renew-interval = 500ms }
          startup-backoff { initial = 100ms, max = 1s }
          inbox { poll-interval = 50ms, batch-size = 4 }
        }
        """;

    public static Task<TestDaemon> StartAsync(string connectionString, string nodeId, bool kestrel = false) =>
        TestDaemon.StartAsync(kestrel, Hocon(connectionString, nodeId));

    /// <summary>Waits until <paramref name="daemon"/> runs the orchestrator.</summary>
    public static Task LeadsAsync(TestDaemon daemon, string what) =>
        Poll.UntilAsync(() => daemon.Runtime.Orchestrator is not null, what, TimeSpan.FromSeconds(90));

    /// <summary>Waits until every entry of the inbox was handled.</summary>
    public static async Task InboxDrainedAsync(TestDaemon daemon)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (await daemon.Runtime.Cluster!.Inbox.CountPendingAsync(CancellationToken.None) > 0)
        {
            if (DateTime.UtcNow > until)
            {
                throw new Xunit.Sdk.XunitException("Timed out waiting for the inbox to be drained.");
            }

            await Task.Delay(20);
        }
    }

    public static async Task<JsonElement> ClusterAsync(TestDaemon daemon)
    {
        var response = await daemon.SendAsync(HttpMethod.Get, "/api/cluster", TestDaemon.ViewerToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static MemberStatus? StatusOf(TestDaemon daemon) => daemon.Runtime.Cluster!.Membership.Self?.Status;
}
