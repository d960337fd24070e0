using System.Collections.Concurrent;
using System.Text.Json;
using Akka.Actor;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Intake;
using Autopilot.Daemon.Metrics;
using Autopilot.Daemon.Persistence;
using Autopilot.Daemon.Tests.Fixtures;

namespace Autopilot.Daemon.Tests.Intake;

/// <summary>
/// The hand-over reads every node's intake stream through the "delivery" tag: a delivery reaches the orchestrator
/// whichever intake stored it, and one stored by two nodes (a redelivery that went to another node) reaches it once,
/// also after the hand-over restarted from its persisted positions.
/// </summary>
public sealed class DeliveryHandoverTests
{
    private const string Sqlite = "autopilot.persistence.journal.plugin = sqlite";

    private static ReceiveDelivery Delivery(string id) => new("github", "push", id, JsonDocument.Parse($$"""{"id":"{{id}}"}""").RootElement.Clone());

    // Another node's intake: its own stream in the shared journal.
    private static IActorRef OtherNodesIntake(TestDaemon daemon, string name = "other-intake") =>
        daemon.System.ActorOf(WebhookIntake.Props(daemon.Runtime.Settings.Intake, new AutopilotMetrics(), WebhookIntake.StreamIdOf("other-node:4053")), name);

    private static async Task StoreAsync(IActorRef intake, string id) =>
        Assert.IsType<DeliveryAccepted>(await intake.Ask<object>(Delivery(id), TimeSpan.FromSeconds(10)));

    private static Task HandedOverAsync(TestDaemon daemon, string id) =>
        Poll.UntilAsync(() => daemon.Received.OfType<ExternalEvent>().Any(e => e.DeliveryId == id), $"delivery {id} to be handed over");

    [Fact]
    public async Task Deliveries_of_every_intake_reach_the_orchestrator_and_one_stored_by_two_nodes_reaches_it_once()
    {
        await using var daemon = await TestDaemon.StartAsync();
        var local = daemon.Runtime.Intake!;
        var other = OtherNodesIntake(daemon);

        await StoreAsync(local, "on-this-node");
        await StoreAsync(other, "on-the-other-node");
        await HandedOverAsync(daemon, "on-this-node");
        await HandedOverAsync(daemon, "on-the-other-node");
        // The redelivery went to the other node, whose intake has never seen it.
        await StoreAsync(other, "on-this-node");
        await StoreAsync(other, "later");
        await HandedOverAsync(daemon, "later");

        Assert.Single(daemon.Received.OfType<ExternalEvent>(), e => e.DeliveryId == "on-this-node");
        Assert.Single(daemon.Received.OfType<ExternalEvent>(), e => e.DeliveryId == "on-the-other-node");
    }

    [Theory]
    [InlineData(1000)] // recovered from its positions alone
    [InlineData(1)] // recovered from a snapshot (and the positions after it)
    public async Task After_a_restart_the_hand_over_resumes_after_its_position_and_still_knows_what_it_handed_over(int snapshotEvery)
    {
        var dataDir = Directory.CreateTempSubdirectory("autopilot-handover-test").FullName;
        var hocon = $"{Sqlite}\nautopilot.intake.snapshot-every = {snapshotEvery}";
        try
        {
            await using (var first = await TestDaemon.StartAsync(extraHocon: hocon, dataDir: dataDir))
            {
                for (var i = 0; i < 3; i++)
                {
                    await StoreAsync(first.Runtime.Intake!, $"before-restart-{i}");
                    await HandedOverAsync(first, $"before-restart-{i}");
                }
            }

            await using var second = await TestDaemon.StartAsync(extraHocon: hocon, dataDir: dataDir);
            var other = OtherNodesIntake(second);
            for (var i = 0; i < 3; i++)
            {
                await StoreAsync(other, $"before-restart-{i}");
            }

            await StoreAsync(other, "after-restart");
            await HandedOverAsync(second, "after-restart");

            // Neither the old deliveries (position) nor their second copies (remembered ids) came again.
            Assert.DoesNotContain(second.Received.OfType<ExternalEvent>(), e => e.DeliveryId.StartsWith("before-restart", StringComparison.Ordinal));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task A_journal_written_with_tags_only_in_the_tag_table_is_migrated_and_its_history_and_deliveries_still_read_by_tag()
    {
        var dataDir = Directory.CreateTempSubdirectory("autopilot-tag-migration-test").FullName;
        const string before = Sqlite + """

            akka.persistence.journal.sql.tag-write-mode = TagTable
            akka.persistence.query.journal.sql.tag-read-mode = TagTable
            """;
        try
        {
            await using (var first = await TestDaemon.StartAsync(extraHocon: before, dataDir: dataDir))
            {
                await StoreAsync(first.Runtime.Intake!, "before-migration");
                await HandedOverAsync(first, "before-migration");
                Assert.Equal(System.Net.HttpStatusCode.OK, (await first.SendAsync(HttpMethod.Post, "/api/pause", TestDaemon.OperatorToken)).StatusCode);
            }

            // What an older daemon left: this one's journal probe may have upgraded the file meanwhile, so take back what
            // the upgrade adds (the CSV column, the stream index, the tag index).
            using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(dataDir, "autopilot.db")};Pooling=False"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = $"""
                    DROP TRIGGER IF EXISTS {JournalDatabase.TagIndexTable}_insert;
                    DROP TRIGGER IF EXISTS {JournalDatabase.TagIndexTable}_delete;
                    DROP TABLE IF EXISTS {JournalDatabase.TagIndexTable};
                    DROP INDEX IF EXISTS journal_persistence_id_sequence_number_idx;
                    """;
                command.ExecuteNonQuery();
                command.CommandText = "SELECT COUNT(*) FROM pragma_table_info('journal') WHERE name = 'tags'";
                if ((long)command.ExecuteScalar()! > 0)
                {
                    command.CommandText = "ALTER TABLE journal DROP COLUMN tags";
                    command.ExecuteNonQuery();
                }
            }

            await using var second = await TestDaemon.StartAsync(extraHocon: Sqlite, dataDir: dataDir);
            await StoreAsync(second.Runtime.Intake!, "after-migration");
            await HandedOverAsync(second, "after-migration");
            using var audit = await second.SendAsync(HttpMethod.Get, "/api/audit?limit=50", TestDaemon.ViewerToken);
            var records = JsonDocument.Parse(await audit.Content.ReadAsStringAsync()).RootElement;

            Assert.True(second.Runtime.Database.SchemaUpgraded);
            using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(dataDir, "autopilot.db")}"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'journal_persistence_id_sequence_number_idx'";
                Assert.Equal(1L, (long)command.ExecuteScalar()!);
                // The tag index was filled from the migrated column: the pause's audit tag is in it.
                command.CommandText = $"SELECT COUNT(*) FROM {JournalDatabase.TagIndexTable} i JOIN journal j ON j.ordering = i.ordering WHERE i.tag = 'audit' AND j.persistence_id = 'orchestrator'";
                Assert.True((long)command.ExecuteScalar()! >= 1);
            }

            // The pause recorded before the migration is still found through the audit tag.
            Assert.Contains(records.EnumerateArray(), r => r.GetRawText().Contains("paused", StringComparison.Ordinal));
            Assert.DoesNotContain(second.Received.OfType<ExternalEvent>(), e => e.DeliveryId == "before-migration");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Deliveries_stored_while_the_orchestrator_is_busy_are_handed_over_together_in_order_and_each_once()
    {
        var batches = new ConcurrentQueue<ExternalEvents>();
        var release = new TaskCompletionSource();
        await using var daemon = await TestDaemon.StartAsync(orchestratorFactory: (_, _) => Props.Create(() => new BatchOrchestrator(batches, release.Task, null)));
        var intake = daemon.Runtime.Intake!;

        // The first delivery's batch waits for the release; meanwhile twenty more are stored.
        await StoreAsync(intake, "first");
        await Poll.UntilAsync(() => !batches.IsEmpty, "the first hand-over");
        var later = Enumerable.Range(1, 20).Select(i => $"later-{i:00}").ToArray();
        foreach (var id in later)
        {
            await StoreAsync(intake, id);
        }

        release.SetResult();
        await Poll.UntilAsync(() => batches.Sum(b => b.Events.Count) >= 21, "every delivery handed over");

        var handed = batches.SelectMany(b => b.Events).Select(e => e.DeliveryId).ToArray();
        Assert.Equal(["first", .. later], handed);
        Assert.True(batches.Count < handed.Length, $"{handed.Length} deliveries came in {batches.Count} hand-overs");
    }

    [Fact]
    public async Task A_batch_the_orchestrator_never_confirms_is_tried_one_delivery_at_a_time_and_only_the_one_at_fault_is_abandoned()
    {
        var batches = new ConcurrentQueue<ExternalEvents>();
        var release = new TaskCompletionSource();
        await using var daemon = await TestDaemon.StartAsync(
            extraHocon: "autopilot.intake.handover { ask-timeout = 300ms, max-attempts = 2 }",
            orchestratorFactory: (_, _) => Props.Create(() => new BatchOrchestrator(batches, release.Task, "poison")));
        var intake = daemon.Runtime.Intake!;

        await StoreAsync(intake, "first");
        await Poll.UntilAsync(() => !batches.IsEmpty, "the first hand-over");
        string[] rest = ["good-1", "poison", "good-2", "good-3"];
        foreach (var id in rest)
        {
            await StoreAsync(intake, id);
        }

        release.SetResult();
        await Poll.UntilAsync(() => batches.SelectMany(b => b.Events).Any(e => e.DeliveryId == "good-3"), "the deliveries after the poison");
        await Poll.UntilAsync(async () => (await daemon.EventsAsync(DeliveryHandover.StreamId)).OfType<DeliveryAbandoned>().Any(), "the abandonment");

        Assert.Equal(["first", "good-1", "good-2", "good-3"], batches.SelectMany(b => b.Events).Select(e => e.DeliveryId));
        Assert.Equal("poison", Assert.Single((await daemon.EventsAsync(DeliveryHandover.StreamId)).OfType<DeliveryAbandoned>()).DeliveryId);
    }

    /// <summary>
    /// Records the batches it confirms (a delivery handed over again, as the real orchestrator, only once); holds its
    /// first answer until <c>firstAnswer</c> completes, and never answers a batch holding the delivery id <c>never</c>.
    /// </summary>
    private sealed class BatchOrchestrator : ReceiveActor
    {
        public BatchOrchestrator(ConcurrentQueue<ExternalEvents> batches, Task firstAnswer, string? never)
        {
            var answered = false;
            var handled = new HashSet<string>();
            Receive<ExternalEvents>(batch =>
            {
                if (batch.Events.Any(e => e.DeliveryId == never))
                {
                    return;
                }

                var fresh = batch.Events.Where(e => handled.Add(e.DeliveryId)).ToArray();
                if (fresh.Length > 0)
                {
                    batches.Enqueue(new ExternalEvents(fresh));
                }

                var sender = Sender;
                var ack = new ControlAck(true, $"handled {batch.Events.Count}");
                if (answered)
                {
                    sender.Tell(ack);
                    return;
                }

                answered = true;
                firstAnswer.ContinueWith(_ => sender.Tell(ack), TaskScheduler.Default);
            });
            ReceiveAny(_ => { });
        }
    }
}
