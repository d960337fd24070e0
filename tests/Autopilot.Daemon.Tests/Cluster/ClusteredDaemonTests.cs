using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Cluster;
using Autopilot.Daemon.Hosting;
using Autopilot.Daemon.Intake;
using Autopilot.Daemon.Tests.Fixtures;
using Autopilot.Platforms.GitHub;

namespace Autopilot.Daemon.Tests.Cluster;

/// <summary>
/// Two clustered daemons in one process on one PostgreSQL database: one leads, the other takes webhooks and commands
/// into the durable inbox and answers reads from the journal; downing or leaving moves the orchestrator.
/// </summary>
[Collection(ClusterPostgresCollection.Name)]
public sealed class ClusteredDaemonTests(ThrowawayPostgres server)
{
    [Fact]
    public async Task Webhooks_and_commands_sent_to_the_standby_are_handled_once_by_the_leader_and_answered_with_its_outcome()
    {
        var db = await server.CreateDatabaseAsync("daemon_cluster_work");
        await using var leader = await ClusterNodes.StartAsync(db, "node-a");
        await ClusterNodes.LeadsAsync(leader, "node-a to lead");
        await using var standby = await ClusterNodes.StartAsync(db, "node-b");
        await Poll.UntilAsync(() => standby.Runtime.IsReady, "node-b to be Up", TimeSpan.FromSeconds(90));
        Assert.Null(standby.Runtime.Orchestrator);

        const string body = """{"ref":"refs/heads/main","after":"abc123"}""";
        var first = await standby.Client.SendAsync(GitHub(body, "delivery-7"));
        var redelivered = await leader.Client.SendAsync(GitHub(body, "delivery-7"));
        var forged = await standby.Client.SendAsync(GitHub(body, "delivery-8", signature: "sha256=" + new string('0', 64)));
        await ClusterNodes.InboxDrainedAsync(standby);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, redelivered.StatusCode);
        Assert.Equal("duplicate", (await redelivered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        var handed = Assert.Single(leader.Received.OfType<ExternalEvent>());
        Assert.Equal(("delivery-7", "abc123"), (handed.DeliveryId, handed.Payload.GetProperty("after").GetString()));
        Assert.Empty(standby.Received);
        var intake = await EventsAsync(standby, WebhookIntake.StreamId);
        Assert.Equal("delivery-7", Assert.Single(intake.OfType<ExternalEventReceived>()).DeliveryId);
        Assert.Equal("webhook-signature-invalid", Assert.Single(intake.OfType<SecurityEventRecorded>()).Kind);

        var paused = await standby.SendAsync(HttpMethod.Post, "/api/pause", TestDaemon.OperatorToken);
        var refused = await standby.SendAsync(HttpMethod.Post, "/api/rollback/no-such-service", TestDaemon.AdminToken);

        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.Equal("paused", (await paused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("unknown service no-such-service", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetString());
        Assert.Single(leader.Received.OfType<PauseAutopilot>());
        Assert.Single(leader.Received.OfType<RequestRollback>());

        var status = await (await standby.SendAsync(HttpMethod.Get, "/api/status", TestDaemon.ViewerToken)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(status.GetProperty("clustered").GetBoolean());
        Assert.Equal("node-a", status.GetProperty("leader").GetString());
        Assert.True(status.GetProperty("autopilot").GetProperty("paused").GetBoolean());
        Assert.StartsWith("standby", status.GetProperty("orchestrator").GetString());
        // The standby's view follows what the leader records after its first answer.
        Assert.Equal(HttpStatusCode.OK, (await standby.SendAsync(HttpMethod.Post, "/api/resume", TestDaemon.OperatorToken)).StatusCode);
        var resumed = await (await standby.SendAsync(HttpMethod.Get, "/api/status", TestDaemon.ViewerToken)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(resumed.GetProperty("autopilot").GetProperty("paused").GetBoolean());

        var cluster = await ClusterNodes.ClusterAsync(standby);
        Assert.True(cluster.GetProperty("clustered").GetBoolean());
        Assert.Equal(("node-b", "node-a"), (cluster.GetProperty("self").GetString(), cluster.GetProperty("leader").GetString()));
        Assert.Equal(["node-a:up", "node-b:up"], cluster.GetProperty("members").EnumerateArray()
            .Select(m => $"{m.GetProperty("nodeId").GetString()}:{m.GetProperty("status").GetString()}").Order().ToArray());
        var lease = Assert.Single(cluster.GetProperty("leases").EnumerateArray());
        Assert.Equal(("orchestrator", "node-a", true), (lease.GetProperty("name").GetString(), lease.GetProperty("owner").GetString(), lease.GetProperty("held").GetBoolean()));
        Assert.Equal(0, cluster.GetProperty("inboxPending").GetInt64());

        var health = await (await standby.Client.GetAsync("/health")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("standby", health.GetProperty("cluster").GetProperty("status").GetString());
        var leaderHealth = await (await leader.Client.GetAsync("/health")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("leader", leaderHealth.GetProperty("cluster").GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_leader_deletes_inbox_entries_past_their_retention_and_a_later_redelivery_is_still_handled_once()
    {
        var db = await server.CreateDatabaseAsync("daemon_cluster_retention");
        await using var leader = await TestDaemon.StartAsync(false, ClusterNodes.Hocon(db, "node-a") + """

            autopilot.cluster.inbox { retention = 1ms, prune-interval = 100ms }
            """);
        await ClusterNodes.LeadsAsync(leader, "node-a to lead");
        const string body = """{"ref":"refs/heads/main","after":"abc123"}""";

        Assert.Equal(HttpStatusCode.Accepted, (await leader.Client.SendAsync(GitHub(body, "delivery-9"))).StatusCode);
        await Poll.UntilAsync(() => InboxRows(db) == 0, "the handled entry to be deleted", TimeSpan.FromSeconds(60));

        // The inbox no longer knows the delivery, so it takes it as new; the intake still remembers it.
        Assert.Equal(HttpStatusCode.Accepted, (await leader.Client.SendAsync(GitHub(body, "delivery-9"))).StatusCode);
        await ClusterNodes.InboxDrainedAsync(leader);
        var intake = await EventsAsync(leader, WebhookIntake.StreamId);
        Assert.Equal("delivery-9", Assert.Single(intake.OfType<ExternalEventReceived>()).DeliveryId);
    }

    [Fact]
    public async Task Downing_the_leader_makes_it_exit_with_code_3_and_moves_the_orchestrator_to_the_standby_under_a_higher_token()
    {
        var db = await server.CreateDatabaseAsync("daemon_cluster_down");
        await using var first = await ClusterNodes.StartAsync(db, "node-a");
        await ClusterNodes.LeadsAsync(first, "node-a to lead");
        await using var second = await ClusterNodes.StartAsync(db, "node-b");
        await Poll.UntilAsync(() => second.Runtime.IsReady, "node-b to be Up", TimeSpan.FromSeconds(90));

        var unknown = await second.SendAsync(HttpMethod.Post, "/api/cluster/down/node-z", TestDaemon.AdminToken);
        var operatorTry = await second.SendAsync(HttpMethod.Post, "/api/cluster/down/node-a", TestDaemon.OperatorToken);
        var down = await second.SendAsync(HttpMethod.Post, "/api/cluster/down/node-a", TestDaemon.AdminToken);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, operatorTry.StatusCode);
        Assert.Equal(HttpStatusCode.OK, down.StatusCode);
        Assert.True((await down.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("downed").GetBoolean());
        await Poll.UntilAsync(() => first.App.Lifetime.ApplicationStopping.IsCancellationRequested, "the downed node's host to stop", TimeSpan.FromSeconds(90));
        await first.Runtime.System.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(DaemonExitCodes.Downed, first.Runtime.ExitCode);
        await ClusterNodes.LeadsAsync(second, "node-b to take over");

        var paused = await second.SendAsync(HttpMethod.Post, "/api/pause", TestDaemon.OperatorToken);
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.Single(second.Received.OfType<PauseAutopilot>());
        var handovers = (await EventsAsync(second, HandoverRecorder.StreamId)).OfType<SingletonStarted>().ToArray();
        Assert.Equal(["node-a", "node-b"], handovers.Select(h => h.Node));
        Assert.True(handovers[1].Token > handovers[0].Token);
    }

    [Fact]
    public async Task A_leader_asked_to_leave_hands_the_orchestrator_over_records_it_and_exits_with_code_0()
    {
        var db = await server.CreateDatabaseAsync("daemon_cluster_leave");
        await using var first = await ClusterNodes.StartAsync(db, "node-a");
        await ClusterNodes.LeadsAsync(first, "node-a to lead");
        await using var second = await ClusterNodes.StartAsync(db, "node-b");
        await Poll.UntilAsync(() => second.Runtime.IsReady, "node-b to be Up", TimeSpan.FromSeconds(90));

        var leave = await first.SendAsync(HttpMethod.Post, "/api/cluster/leave", TestDaemon.OperatorToken);

        Assert.Equal(HttpStatusCode.Accepted, leave.StatusCode);
        await first.Runtime.System.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(DaemonExitCodes.Stopped, first.Runtime.ExitCode);
        await ClusterNodes.LeadsAsync(second, "node-b to take over");
        var handovers = await EventsAsync(second, HandoverRecorder.StreamId);
        Assert.Equal(["SingletonStarted:node-a", "SingletonStopped:node-a", "SingletonStarted:node-b"],
            handovers.Select(e => e switch
            {
                SingletonStarted s => $"SingletonStarted:{s.Node}",
                SingletonStopped s => $"SingletonStopped:{s.Node}",
                _ => e.GetType().Name,
            }));
        var cluster = await ClusterNodes.ClusterAsync(second);
        Assert.Equal("node-b", cluster.GetProperty("leader").GetString());
        Assert.Equal("removed", cluster.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("nodeId").GetString() == "node-a").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Webhooks_arriving_while_the_leader_is_downed_are_journaled_exactly_once_and_none_is_lost()
    {
        var db = await server.CreateDatabaseAsync("daemon_cluster_failover_webhooks");
        await using var first = await ClusterNodes.StartAsync(db, "node-a");
        await ClusterNodes.LeadsAsync(first, "node-a to lead");
        await using var second = await ClusterNodes.StartAsync(db, "node-b");
        await Poll.UntilAsync(() => second.Runtime.IsReady, "node-b to be Up", TimeSpan.FromSeconds(90));
        var deliveries = Enumerable.Range(1, 24).Select(i => $"delivery-{i}").ToArray();

        var posting = Task.WhenAll(deliveries.Select(async (id, i) =>
        {
            var body = $$"""{"ref":"refs/heads/main","after":"c{{i}}"}""";
            // Each delivery is sent twice, as a platform retrying after a timeout would.
            var answers = new[] { await second.Client.SendAsync(GitHub(body, id)), await second.Client.SendAsync(GitHub(body, id)) };
            return answers.Select(a => a.StatusCode).ToArray();
        }));
        var down = await second.SendAsync(HttpMethod.Post, "/api/cluster/down/node-a", TestDaemon.AdminToken);
        var answers = await posting;
        await ClusterNodes.LeadsAsync(second, "node-b to take over");
        await ClusterNodes.InboxDrainedAsync(second);

        Assert.Equal(HttpStatusCode.OK, down.StatusCode);
        Assert.All(answers, a => Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.OK], a));
        var journaled = (await EventsAsync(second, WebhookIntake.StreamId)).OfType<ExternalEventReceived>().Select(e => e.DeliveryId).ToArray();
        Assert.Equal(deliveries.Order(), journaled.Order());
        // None is lost: each reached an orchestrator. One taken over mid-hand-over may reach both leaders; the new
        // leader's orchestrator ignores a delivery its journal already has (see the agents' delivery tests).
        var handed = first.Received.Concat(second.Received).OfType<ExternalEvent>().Select(e => e.DeliveryId).ToArray();
        Assert.Equal(deliveries.Order(), handed.Distinct().Order());
        foreach (var node in new[] { first, second })
        {
            var own = node.Received.OfType<ExternalEvent>().Select(e => e.DeliveryId).ToArray();
            Assert.Equal(own.Distinct().Count(), own.Length);
        }
    }

    [Fact]
    public async Task A_node_that_wins_the_lease_but_cannot_start_the_orchestrator_leaves_with_code_1_and_a_standby_leads()
    {
        var db = await server.CreateDatabaseAsync("daemon_cluster_broken_leader");
        await using var broken = await ClusterNodes.StartAsync(db, "node-a",
            orchestratorFactory: (_, _) => throw new InvalidOperationException("the orchestrator's configuration is unusable"));
        await broken.Runtime.System.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(90));
        await using var healthy = await ClusterNodes.StartAsync(db, "node-b");

        await ClusterNodes.LeadsAsync(healthy, "node-b to lead");
        Assert.Equal(DaemonExitCodes.Failed, broken.Runtime.ExitCode);
        var cluster = await ClusterNodes.ClusterAsync(healthy);
        Assert.Equal("removed", cluster.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("nodeId").GetString() == "node-a").GetProperty("status").GetString());
    }

    private static HttpRequestMessage GitHub(string body, string delivery, string? signature = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-GitHub-Event", "push");
        request.Headers.Add("X-GitHub-Delivery", delivery);
        request.Headers.Add(GitHubWebhookSignature.HeaderName, signature ?? GitHubWebhookSignature.Compute(TestDaemon.GitHubSecret, Encoding.UTF8.GetBytes(body)));
        return request;
    }

    /// <summary>Entries in the inbox table, handled or not (the inbox's own API counts only the pending ones).</summary>
    private static long InboxRows(string connectionString)
    {
        using var connection = new Npgsql.NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM cluster_inbox", connection);
        return (long)command.ExecuteScalar()!;
    }

    private static async Task<List<object>> EventsAsync(TestDaemon daemon, string persistenceId)
    {
        var events = new List<object>();
        await foreach (var envelope in daemon.Runtime.Query.CurrentEventsByPersistenceId(persistenceId))
        {
            events.Add(envelope.Event);
        }

        return events;
    }
}
