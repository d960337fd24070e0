using System.Diagnostics;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Akka.Persistence;
using Autopilot.Daemon.Configuration;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Metrics;

namespace Autopilot.Daemon.Intake;

/// <summary>
/// The single writer of webhook deliveries: journals each new delivery WITH its payload as <see cref="DeliveryStored"/>
/// and answers only once the write committed, so a 202 means the delivery is durable. The orchestrator receives
/// deliveries from this stream through <see cref="DeliveryHandover"/>, never from memory, so a crash between this
/// write and the orchestrator's own record loses nothing. Also journals the HTTP edge's security events.
/// </summary>
/// <remarks>
/// <para>De-duplication: a delivery id is remembered from the moment its write COMMITTED, for
/// <see cref="IntakeSettings.DedupeWindow"/> (7 days by default), across restarts (snapshot plus replay). A redelivery
/// that arrives while the first write is still in flight waits for it: it is answered "duplicate" only once that write
/// committed; if the write fails the intake stops (answering nothing), and the sender's retry after the restart is
/// stored as new.</para>
/// <para><c>PersistAsync</c> lets concurrent deliveries share one journal batch.</para>
/// </remarks>
public sealed class WebhookIntake : ReceivePersistentActor
{
    /// <summary>Persistence id of the intake stream of a single node.</summary>
    public const string StreamId = "webhook-intake";

    /// <summary>
    /// Tag of every <see cref="DeliveryStored"/> (set by <see cref="DeliveryTagger"/> on the journal): the hand-over
    /// reads the deliveries of all nodes' intakes through it, in the journal's order.
    /// </summary>
    public const string DeliveryTag = "delivery";

    private readonly IntakeSettings _settings;
    private readonly AutopilotMetrics _metrics;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    // Committed deliveries within the de-duplication window.
    private readonly DeliveryWindow _committed;

    // Writes in flight: key -> the redeliveries waiting for its outcome.
    private readonly Dictionary<string, List<(IActorRef Sender, string DeliveryId)>> _inFlight = new(StringComparer.Ordinal);
    private int _sinceSnapshot;
    private bool _closed;

    private readonly string _persistenceId;

    /// <summary>Creates the intake.</summary>
    /// <param name="settings">De-duplication window and snapshot interval.</param>
    /// <param name="metrics">Instruments.</param>
    /// <param name="persistenceId">Its stream: <see cref="StreamId"/> on a single node, <see cref="StreamIdOf"/> in a cluster.</param>
    public WebhookIntake(IntakeSettings settings, AutopilotMetrics metrics, string persistenceId = StreamId)
    {
        _settings = settings;
        _metrics = metrics;
        _persistenceId = persistenceId;
        _committed = new DeliveryWindow(settings.DedupeWindow);

        Recover<DeliveryStored>(stored => Remember(stored.Key, stored.At));
        Recover<SnapshotOffer>(offer =>
        {
            foreach (var remembered in ((IntakeSnapshot)offer.Snapshot).Deliveries)
            {
                Remember(remembered.Key, remembered.At);
            }
        });
        Recover<RecoveryCompleted>(_ => Prune());

        Command<ReceiveDelivery>(OnDelivery);
        Command<RecordSecurityEvent>(record =>
        {
            var replyTo = Sender;
            PersistAsync(record.Event, _ => replyTo.Tell(new SecurityEventStored()));
        });
        Command<CloseIntake>(_ =>
        {
            _closed = true;
            Sender.Tell(Done.Instance);
        });
        // Only the newest snapshot is ever loaded: the older ones would only grow the snapshot store.
        Command<SaveSnapshotSuccess>(saved => DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1)));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(failure => _log.Warning("Deleting older intake snapshots failed: {0}", failure.Cause.Message));
        Command<SaveSnapshotFailure>(failure => _log.Warning("Intake snapshot failed: {0}", failure.Cause.Message));
    }

    /// <summary>The recipe.</summary>
    public static Props Props(IntakeSettings settings, AutopilotMetrics metrics, string persistenceId = StreamId) =>
        Akka.Actor.Props.Create(() => new WebhookIntake(settings, metrics, persistenceId));

    /// <summary>
    /// The stream of the intake of the cluster node at <paramref name="hostPort"/>: each node writes only its own, so
    /// no two nodes ever compete for one stream's sequence numbers (a node's Akka address is unique while it runs).
    /// </summary>
    public static string StreamIdOf(string hostPort) => $"{StreamId}@{hostPort}";

    /// <summary>
    /// The intake under a backoff supervisor, as the daemon runs it: a failed journal write stops the intake (its
    /// in-flight deliveries were never answered, so their senders retry), and it restarts from the journal after a
    /// growing pause.
    /// </summary>
    public static Props Supervised(IntakeSettings settings, AutopilotMetrics metrics, string persistenceId = StreamId) =>
        BackoffSupervisor.Props(Backoff.OnStop(Props(settings, metrics, persistenceId), StreamId,
            TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), 0.2, maxNrOfRetries: -1));

    /// <inheritdoc />
    public override string PersistenceId => _persistenceId;

    /// <inheritdoc />
    protected override void PreStart()
    {
        IncarnationStarted.Announce(Context);
        base.PreStart();
    }

    /// <summary>Keys remembered now (for diagnostics and tests).</summary>
    internal int Remembered => _committed.Count;

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    private void OnDelivery(ReceiveDelivery delivery)
    {
        if (_closed)
        {
            Sender.Tell(new IntakeClosed());
            return;
        }

        var key = IntakeKeys.Of(delivery.Source, delivery.DeliveryId);
        if (_committed.Contains(key, Now))
        {
            Sender.Tell(new DeliveryDuplicate(delivery.DeliveryId));
            return;
        }

        if (_inFlight.TryGetValue(key, out var waiting))
        {
            // Not a duplicate yet: only the first write's commit makes it one.
            waiting.Add((Sender, delivery.DeliveryId));
            return;
        }

        // The first sender is answered "accepted", any redelivery that arrives meanwhile "duplicate", once it commits.
        _inFlight[key] = [(Sender, delivery.DeliveryId)];
        var started = Stopwatch.GetTimestamp();
        var stored = new DeliveryStored(delivery.Source, delivery.EventType, delivery.DeliveryId, delivery.Payload.GetRawText(), Now);
        PersistAsync(stored, committed =>
        {
            _metrics.RecordPersistLatency(Stopwatch.GetElapsedTime(started), "committed");
            _metrics.RecordMessageProcessed("webhook-intake");
            Remember(committed.Key, committed.At);
            if (_inFlight.Remove(committed.Key, out var senders))
            {
                for (var i = 0; i < senders.Count; i++)
                {
                    senders[i].Sender.Tell(i == 0 ? new DeliveryAccepted(senders[i].DeliveryId) : new DeliveryDuplicate(senders[i].DeliveryId));
                }
            }

            if (_committed.SnapshotDue(++_sinceSnapshot, _settings.SnapshotEvery))
            {
                _sinceSnapshot = 0;
                Prune();
                SaveSnapshot(new IntakeSnapshot(_committed.Snapshot()));
            }
        });
    }

    /// <inheritdoc />
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _metrics.RecordPersistLatency(TimeSpan.Zero, "rejected");
        if (@event is DeliveryStored stored && _inFlight.Remove(stored.Key, out var waiting))
        {
            _log.Warning("The journal rejected delivery {0} of {1}: {2}", stored.DeliveryId, stored.Source, cause.Message);
            foreach (var (sender, id) in waiting)
            {
                sender.Tell(new DeliveryNotStored(id, "the journal rejected the write"));
            }
        }

        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    /// <inheritdoc />
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _metrics.RecordPersistLatency(TimeSpan.Zero, "failed");
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    private void Remember(string key, DateTimeOffset at) => _committed.Remember(key, at);

    private void Prune() => _committed.Prune(Now);
}
