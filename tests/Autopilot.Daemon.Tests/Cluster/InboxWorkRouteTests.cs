using System.Text.Json;
using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Actors.Sql.Cluster;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Cluster;
using Autopilot.Daemon.Intake;
using Autopilot.Daemon.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.Daemon.Tests.Cluster;

/// <summary>A cluster node's HTTP edge stores work in the inbox before it answers, whether or not a leader is there.</summary>
[Collection(ClusterPostgresCollection.Name)]
public sealed class InboxWorkRouteTests(ThrowawayPostgres server)
{
    [Fact]
    public async Task Deliveries_are_stored_once_and_a_command_nobody_handles_times_out_but_stays_queued()
    {
        var db = await server.CreateDatabaseAsync("daemon_inbox_route");
        await using var database = new ClusterDatabase(new ClusterSettings(db, "edge"), NullLogger.Instance, TimeProvider.System);
        await database.StartAsync(CancellationToken.None);
        var inbox = new DurableInbox(database, "orchestrator");
        var route = new InboxWorkRoute(inbox, () => true, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(20), TimeProvider.System);
        using var payload = JsonDocument.Parse("""{"after":"abc"}""");
        var delivery = new ReceiveDelivery("github", "push", "delivery-1", payload.RootElement.Clone());

        var first = await route.SubmitDeliveryAsync(delivery, CancellationToken.None);
        var again = await route.SubmitDeliveryAsync(delivery, CancellationToken.None);
        var timedOut = await Assert.ThrowsAsync<OrchestratorUnavailableException>(() => route.SendCommandAsync(new PauseAutopilot("ops"), CancellationToken.None));

        Assert.Equal((DeliveryOutcome.Accepted, DeliveryOutcome.Duplicate), (first, again));
        Assert.True(timedOut.TimedOut);
        Assert.Contains("will still be executed", timedOut.Message);
        Assert.Equal(2, await inbox.CountPendingAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_node_that_is_starting_or_stopping_takes_nothing()
    {
        var db = await server.CreateDatabaseAsync("daemon_inbox_closed");
        await using var database = new ClusterDatabase(new ClusterSettings(db, "edge"), NullLogger.Instance, TimeProvider.System);
        await database.StartAsync(CancellationToken.None);
        var inbox = new DurableInbox(database, "orchestrator");
        var route = new InboxWorkRoute(inbox, () => false, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(20), TimeProvider.System);
        using var payload = JsonDocument.Parse("{}");

        await Assert.ThrowsAsync<WorkUnavailableException>(() => route.SubmitDeliveryAsync(new ReceiveDelivery("railway", "DEPLOY", "d", payload.RootElement.Clone()), CancellationToken.None));
        var command = await Assert.ThrowsAsync<OrchestratorUnavailableException>(() => route.SendCommandAsync(new ResumeAutopilot("ops"), CancellationToken.None));

        Assert.False(command.TimedOut);
        Assert.Equal(0, await inbox.CountPendingAsync(CancellationToken.None));
    }
}
