using Autopilot.Actors;
using Autopilot.Actors.Persistence;
using Autopilot.Actors.Persistence.Snapshots;
using Autopilot.Agents.Dedupe;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Metrics;

namespace Autopilot.Daemon.Intake;

/// <summary>
/// The single writer of webhook deliveries: journals each new delivery as <see cref="ExternalEventReceived"/> (tagged
/// <c>audit</c>) before the HTTP answer, remembers recent delivery ids so a redelivery is answered as a duplicate
/// and journaled once, and hands deliveries to the orchestrator as <see cref="ExternalEvent"/>.
/// Also journals security events of the HTTP edge (rejected signatures and tokens) in the same stream.
/// </summary>
/// <remarks>
/// A redelivery is handed to the orchestrator again: the intake's record and the orchestrator's are two writes, and a
/// crash or fail-over between them must not lose the delivery. The orchestrator journals the deliveries it handled
/// and ignores one it already has, so a delivery is acted on once either way.
/// </remarks>
public sealed class WebhookIntake : ReceivePersistentActor
{
    /// <summary>Persistence id of the intake stream.</summary>
    public const string StreamId = "webhook-intake";

    /// <summary>How many delivery ids are remembered for de-duplication (GitHub redelivers within days, not millions).</summary>
    public const int RememberedDeliveries = 10_000;

    // A snapshot holds every remembered id, so one per half window keeps replay short without rewriting the window
    // on every thousandth delivery (each save competes with the journal's writer).
    private const int SnapshotEvery = RememberedDeliveries / 2;

    private readonly IActorRef _orchestrator;
    private readonly TimeProvider _time;
    private readonly AutopilotMetrics _metrics;
    private readonly RecentKeys _seen = new(RememberedDeliveries);
    private int _sinceSnapshot;

    /// <summary>Creates the intake.</summary>
    public WebhookIntake(IActorRef orchestrator, TimeProvider time, AutopilotMetrics metrics)
    {
        _orchestrator = orchestrator;
        _time = time;
        _metrics = metrics;

        Recover<ExternalEventReceived>(e => _seen.Add(Key(e.Source, e.DeliveryId)));
        Recover<SecurityEventRecorded>(_ => { });
        Recover<SnapshotOffer>(offer =>
        {
            foreach (var key in ((IntakeSnapshot)offer.Snapshot).RecentDeliveries)
            {
                _seen.Add(key);
            }
        });

        Command<ReceiveDelivery>(OnDelivery);
        Command<RecordSecurityEvent>(record => PersistAsync(record.Event, _ => Sender.Tell(new SecurityEventStored())));
        // The orchestrator acknowledges each hand-over; the delivery is already durable here, so there is nothing to do.
        Command<ControlAck>(_ => { });
        // Only the newest snapshot is ever loaded: the older ones would only grow the snapshot store.
        Command<SaveSnapshotSuccess>(saved => DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1, DateTimeOffset.MaxValue)));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(failure => Context.GetLogger().Warning($"Deleting older intake snapshots failed: {failure.Cause.Message}"));
        Command<SaveSnapshotFailure>(failure => Context.GetLogger().Warning($"Intake snapshot failed: {failure.Cause.Message}"));
    }

    /// <summary>The recipe, for a backoff supervisor.</summary>
    public static Props Props(IActorRef orchestrator, TimeProvider time, AutopilotMetrics metrics) =>
        Actors.Props.Create(() => new WebhookIntake(orchestrator, time, metrics));

    /// <summary>
    /// The intake under a backoff supervisor, as the daemon runs it: a failed journal write stops the intake, and it
    /// restarts from the journal (forgetting the unconfirmed delivery) after a growing pause.
    /// </summary>
    public static Props Supervised(IActorRef orchestrator, TimeProvider time, AutopilotMetrics metrics) =>
        BackoffSupervisor.Props(new BackoffOptions(Props(orchestrator, time, metrics), StreamId,
            TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), 0.2));

    /// <inheritdoc />
    public override string PersistenceId => StreamId;

    /// <inheritdoc />
    protected override IReadOnlyList<string> TagsFor(object @event) => AuditEvents.TagsFor(@event);

    private void OnDelivery(ReceiveDelivery delivery)
    {
        var key = Key(delivery.Source, delivery.DeliveryId);
        if (_seen.Contains(key))
        {
            Sender.Tell(new DeliveryDuplicate(delivery.DeliveryId));
            _orchestrator.Tell(new ExternalEvent(delivery.Source, delivery.EventType, delivery.DeliveryId, delivery.Payload.Clone()), Self);
            return;
        }

        // Remembered now, not when the write commits, so a redelivery racing the first write is still a duplicate.
        // If the write fails the actor stops and its backoff supervisor restarts it from the journal, which forgets
        // the key again. PersistAsync lets concurrent deliveries share one journal commit (group commit).
        _seen.Add(key);
        var received = new ExternalEventReceived(delivery.Source, delivery.EventType, delivery.DeliveryId, _time.GetUtcNow());
        PersistAsync(received, _ =>
        {
            Sender.Tell(new DeliveryAccepted(delivery.DeliveryId));
            _orchestrator.Tell(new ExternalEvent(delivery.Source, delivery.EventType, delivery.DeliveryId, delivery.Payload.Clone()), Self);
            _metrics.RecordMessageProcessed("webhook-intake");
            if (++_sinceSnapshot >= SnapshotEvery)
            {
                _sinceSnapshot = 0;
                SaveSnapshot(new IntakeSnapshot(_seen.OldestFirst.ToArray()));
            }
        });
    }

    private static string Key(string source, string deliveryId) => $"{source}:{deliveryId}";
}
