using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.TestKit;
using Akka.TestKit;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Tests.Fixtures;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Intake;
using Autopilot.Daemon.Metrics;
using Xunit.Abstractions;
using AkkaPersistence = Akka.Persistence.Persistence;

namespace Autopilot.Daemon.Tests.Intake;

/// <summary>
/// The webhook intake as an actor (Akka.TestKit, virtual time from Akka's TestScheduler, Akka.Persistence.TestKit's
/// TestJournal for write faults): what a 202 ("accepted"), a 200 ("duplicate") and a refusal promise.
/// </summary>
public sealed class WebhookIntakeTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly AutopilotMetrics _metrics = new();

    public WebhookIntakeTests(ITestOutputHelper output)
        : base(VirtualTimeJournal.Config, "intake-test", output)
    {
    }

    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    private ITestJournal JournalFaults => TestJournal.FromRef(AkkaPersistence.Instance.Apply(Sys).JournalFor(null));

    private static IntakeSettings Settings(TimeSpan? window = null, int snapshotEvery = 1000) =>
        new(window ?? TimeSpan.FromDays(7), snapshotEvery, TimeSpan.FromSeconds(10), 8, 50, 100);

    private static ReceiveDelivery Delivery(string id, string source = "github") =>
        new(source, "push", id, JsonDocument.Parse($$"""{"id":"{{id}}"}""").RootElement.Clone());

    private IActorRef Intake(IntakeSettings settings, string name = "intake") => Sys.ActorOf(WebhookIntake.Props(settings, _metrics), name);

    private void Stop(IActorRef actor)
    {
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        Unwatch(actor);
    }

    private List<DeliveryStored> Stored()
    {
        var probe = CreateTestProbe();
        AkkaPersistence.Instance.Apply(Sys).JournalFor(null).Tell(new ReplayMessages(1, long.MaxValue, long.MaxValue, WebhookIntake.StreamId, probe.Ref));
        var stored = new List<DeliveryStored>();
        while (probe.ReceiveOne(TimeSpan.FromSeconds(10)) is ReplayedMessage replayed)
        {
            if (replayed.Persistent.Payload is DeliveryStored delivery)
            {
                stored.Add(delivery);
            }
        }

        return stored;
    }

    [Fact]
    public void A_delivery_id_is_a_duplicate_for_the_whole_window_not_only_for_the_last_ten_thousand_deliveries()
    {
        var intake = Intake(Settings());
        intake.Tell(Delivery("first"));
        ExpectMsg<DeliveryAccepted>(a => a.DeliveryId == "first");

        for (var i = 0; i < 10_050; i++)
        {
            intake.Tell(Delivery($"other-{i}"));
        }

        ReceiveN(10_050, TimeSpan.FromMinutes(2));
        Clock.Advance(TimeSpan.FromDays(6));
        intake.Tell(Delivery("first"));

        ExpectMsg<DeliveryDuplicate>(d => d.DeliveryId == "first");
        Assert.Single(Stored(), s => s.DeliveryId == "first");
    }

    [Fact]
    public void After_the_window_a_redelivery_is_stored_as_new_and_the_same_id_from_another_source_is_another_delivery()
    {
        var intake = Intake(Settings(window: TimeSpan.FromHours(1)));
        intake.Tell(Delivery("d-1"));
        ExpectMsg<DeliveryAccepted>();

        Clock.Advance(TimeSpan.FromMinutes(59));
        intake.Tell(Delivery("d-1"));
        ExpectMsg<DeliveryDuplicate>();
        intake.Tell(Delivery("d-1", source: "railway"));
        ExpectMsg<DeliveryAccepted>();

        Clock.Advance(TimeSpan.FromMinutes(2));
        intake.Tell(Delivery("d-1"));
        ExpectMsg<DeliveryAccepted>();

        Assert.Equal(["github", "railway", "github"], Stored().Where(s => s.DeliveryId == "d-1").Select(s => s.Source).ToArray());
    }

    [Fact]
    public void Deliveries_are_remembered_across_a_restart_from_snapshot_and_journal()
    {
        // Past 30 remembered ids the snapshots come less often than every 3 (a tenth of the window): both kinds of gap.
        var settings = Settings(snapshotEvery: 3);
        var first = Intake(settings, "intake-1");
        for (var i = 0; i < 50; i++)
        {
            first.Tell(Delivery($"r-{i}"));
            ExpectMsg<DeliveryAccepted>();
        }

        Stop(first);
        var second = Intake(settings, "intake-2");
        for (var i = 0; i < 50; i++)
        {
            second.Tell(Delivery($"r-{i}"));
            ExpectMsg<DeliveryDuplicate>(d => d.DeliveryId == $"r-{i}");
        }

        second.Tell(Delivery("r-new"));
        ExpectMsg<DeliveryAccepted>();
        Assert.Equal(51, Stored().Count);
    }

    [Fact]
    public void A_redelivery_that_arrives_while_the_first_write_is_in_flight_is_a_duplicate_once_that_write_committed()
    {
        var intake = Intake(Settings());
        var platform = CreateTestProbe();
        var retry = CreateTestProbe();

        intake.Tell(Delivery("racing"), platform.Ref);
        intake.Tell(Delivery("racing"), retry.Ref);

        platform.ExpectMsg<DeliveryAccepted>();
        retry.ExpectMsg<DeliveryDuplicate>();
        Assert.Single(Stored());
    }

    [Fact]
    public async Task A_rejected_write_is_answered_not_stored_and_the_senders_retry_is_stored()
    {
        var intake = Intake(Settings());
        intake.Tell(Delivery("warm-up"));
        ExpectMsg<DeliveryAccepted>();

        await JournalFaults.OnWrite.Reject();
        intake.Tell(Delivery("rejected"));
        ExpectMsg<DeliveryNotStored>(n => n.DeliveryId == "rejected");

        await JournalFaults.OnWrite.Pass();
        intake.Tell(Delivery("rejected"));
        ExpectMsg<DeliveryAccepted>(a => a.DeliveryId == "rejected");
        Assert.Single(Stored(), s => s.DeliveryId == "rejected");
    }

    [Fact]
    public async Task A_failed_write_answers_nothing_the_supervised_intake_comes_back_and_the_retry_is_stored_once()
    {
        var intake = Sys.ActorOf(WebhookIntake.Supervised(Settings(), _metrics), "intake");
        intake.Tell(Delivery("before"));
        ExpectMsg<DeliveryAccepted>();

        await JournalFaults.OnWrite.Fail();
        intake.Tell(Delivery("lost-write"));
        // A failed write stops the intake: the sender gets no answer, so it will deliver again (no 202 was promised).
        var child = await Sys.ActorSelection("/user/intake/" + WebhookIntake.StreamId).ResolveOne(TimeSpan.FromSeconds(10))
            .ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null);
        if (child is not null)
        {
            Watch(child);
            ExpectTerminated(child);
        }

        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        await JournalFaults.OnWrite.Pass();

        // The backoff supervisor starts it again after its (virtual) pause; the sender's retry is then stored.
        object? answer = null;
        AwaitCondition(() =>
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            intake.Tell(Delivery("lost-write"));
            answer = ReceiveOne(TimeSpan.FromMilliseconds(200));
            return answer is not null;
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(10));

        Assert.IsType<DeliveryAccepted>(answer);
        // Later retries sent while waiting are answered as duplicates; the journal holds the delivery once.
        Assert.Single(Stored(), s => s.DeliveryId == "lost-write");
        Assert.Single(Stored(), s => s.DeliveryId == "before");
    }

    [Fact]
    public void A_closed_intake_answers_every_delivery_with_intake_closed_and_writes_nothing()
    {
        var intake = Intake(Settings());
        intake.Tell(CloseIntake.Instance);
        ExpectMsg<Akka.Done>();

        intake.Tell(Delivery("late"));

        ExpectMsg<IntakeClosed>();
        Assert.Empty(Stored());
    }

    [Fact]
    public void Security_events_are_journaled_on_the_intakes_stream_before_the_answer()
    {
        var intake = Intake(Settings());

        intake.Tell(new RecordSecurityEvent(new SecurityEventRecorded("webhook-signature-invalid", "github", "bad signature", Clock.Now)));

        ExpectMsg<SecurityEventStored>();
        var probe = CreateTestProbe();
        AkkaPersistence.Instance.Apply(Sys).JournalFor(null).Tell(new ReplayMessages(1, long.MaxValue, long.MaxValue, WebhookIntake.StreamId, probe.Ref));
        Assert.IsType<SecurityEventRecorded>(probe.ExpectMsg<ReplayedMessage>().Persistent.Payload);
    }
}
