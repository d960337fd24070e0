using Akka;
using System.Text.Json;
using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Akka.Persistence;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Audit;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Metrics;

namespace Autopilot.Daemon.Intake;

/// <summary>
/// Brings every delivery any intake committed to the orchestrator, from the journal: it follows the
/// <see cref="WebhookIntake.DeliveryTag"/> tag (the intakes of all cluster nodes) with
/// <see cref="IEventsByTagQuery.EventsByTag"/> from the position it persisted, hands each <see cref="DeliveryStored"/>
/// over as an <see cref="ExternalEvent"/> and moves past it only once the orchestrator confirmed it (<see cref="ControlAck"/>,
/// sent after the orchestrator's record committed). So a delivery answered 202 by any node reaches the orchestrator
/// even if that node died right after, or the orchestrator was moving to another node.
/// </summary>
/// <remarks>
/// <para>In journal order, one batch in flight at a time: the deliveries the journal read while the previous batch was
/// with the orchestrator go together (<see cref="ExternalEvents"/>, up to <see cref="IntakeSettings.HandoverBatchSize"/>),
/// and the orchestrator journals them in one write, so a burst costs a commit per batch instead of per delivery. A batch
/// the orchestrator does not confirm is retried with a growing pause; after <see cref="IntakeSettings.HandoverMaxAttempts"/>
/// attempts its deliveries are tried one at a time, and a single delivery out of attempts is recorded as
/// <see cref="DeliveryAbandoned"/> (never silently dropped) and the hand-over continues. The position is written every
/// <see cref="IntakeSettings.HandoverCheckpointEvery"/> settled envelopes and when the stream goes idle.</para>
/// <para>De-duplication across nodes: each intake only knows its own deliveries, so a redelivery that reached another
/// node is stored twice. The hand-over remembers the delivery ids it handed over for
/// <see cref="IntakeSettings.DedupeWindow"/> (persisted with its positions) and skips a second copy; one handed over
/// again after a crash before the position was written is ignored by the orchestrator, which journals the ids it
/// handled.</para>
/// </remarks>
public sealed class DeliveryHandover : ReceivePersistentActor, IWithTimers
{
    /// <summary>Persistence id of the hand-over's positions.</summary>
    public const string StreamId = "webhook-handover";

    /// <summary>Name of the hand-over's actor (its cluster singleton manager in clustered mode).</summary>
    public const string SingletonName = "handover";

    private const string RetryTimer = "retry";
    private const string RestartTimer = "restart-stream";
    private const string IdleTimer = "idle-checkpoint";

    private readonly IActorRef _orchestrator;
    private readonly SqlReadJournal _readJournal;
    private readonly IntakeSettings _settings;
    private readonly AutopilotMetrics _metrics;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ActorMaterializer _materializer = Context.Materializer();
    private readonly DeliveryWindow _handed;
    private readonly List<RememberedDelivery> _handedSincePosition = [];
    private long _confirmedUpTo;
    private long _checkpointedUpTo;
    private long _legacySequenceNr;
    private int _sinceCheckpoint;
    // Envelopes settled since the last snapshot: counted in deliveries like the intake's, so a recovery replays at most
    // a tenth of the window's worth of them (a position covers up to checkpoint-every).
    private int _settledSinceSnapshot;
    private UniqueKillSwitch? _stream;
    private IActorRef? _streamAck;
    // Envelopes read from the tag and not settled yet, oldest first; the deliveries sent and not confirmed yet.
    private readonly Queue<Pending> _pending = new();
    private InFlight? _inFlight;
    // After a batch ran out of attempts its deliveries go one at a time: how many are still to go alone.
    private int _singlesLeft;
    private int _generation;

    /// <summary>Creates the hand-over.</summary>
    public DeliveryHandover(IActorRef orchestrator, SqlReadJournal readJournal, IntakeSettings settings, AutopilotMetrics metrics)
    {
        _orchestrator = orchestrator;
        _readJournal = readJournal;
        _settings = settings;
        _metrics = metrics;
        _handed = new DeliveryWindow(settings.DedupeWindow);

        Recover<HandoverPosition>(p =>
        {
            Positioned(p.Offset);
            foreach (var handed in p.Handed)
            {
                _handed.Remember(handed.Key, handed.At);
            }
        });
        Recover<DeliveryAbandoned>(a =>
        {
            if (a.Offset is { } offset)
            {
                Positioned(offset);
            }
            else
            {
                _legacySequenceNr = Math.Max(_legacySequenceNr, a.SequenceNr);
            }
        });
        Recover<HandoverCheckpoint>(c => _legacySequenceNr = Math.Max(_legacySequenceNr, c.SequenceNr));
        Recover<SnapshotOffer>(offer =>
        {
            switch (offer.Snapshot)
            {
                case HandoverSnapshot snapshot:
                    Positioned(snapshot.Offset);
                    foreach (var handed in snapshot.Handed)
                    {
                        _handed.Remember(handed.Key, handed.At);
                    }

                    break;
                case HandoverCheckpoint legacy:
                    _legacySequenceNr = legacy.SequenceNr;
                    break;
            }
        });
        Recover<RecoveryCompleted>(_ =>
        {
            _handed.Prune(Now);
            if (_checkpointedUpTo == 0 && _legacySequenceNr > 0)
            {
                ResumeAfterLegacyCheckpoint();
            }
            else
            {
                StartStream();
            }
        });
        Command<LegacyPositionFound>(found =>
        {
            _log.Info("Resuming the hand-over after intake delivery #{0} (journal ordering {1}), where its last checkpoint left it", _legacySequenceNr, found.Offset);
            _confirmedUpTo = found.Offset;
            Checkpoint();
            StartStream();
        });

        Command<StreamInit>(init =>
        {
            if (init.Generation == _generation)
            {
                Sender.Tell(StreamAck.Instance);
            }
        });
        Command<StreamElements>(OnElements);
        Command<Attempt>(attempt =>
        {
            if (IsInFlight(attempt.Generation, attempt.Offset))
            {
                Send(_inFlight!);
            }
        });
        Command<Confirmed>(OnConfirmed);
        Command<NotConfirmed>(OnNotConfirmed);
        Command<StreamFailed>(failed =>
        {
            if (failed.Generation != _generation)
            {
                return;
            }

            _log.Warning("Reading the intake's stream failed ({0}); starting again in 2s", failed.Cause.Message);
            _stream = null;
            Timers.StartSingleTimer(RestartTimer, RestartStream.Instance, TimeSpan.FromSeconds(2));
        });
        Command<StreamCompleted>(_ => { });
        Command<RestartStream>(_ => StartStream());
        Command<IdleCheckpoint>(_ => Checkpoint());
        Command<WritePosition>(_ =>
        {
            var replyTo = Sender;
            if (!Checkpoint(() => replyTo.Tell(Done.Instance)))
            {
                replyTo.Tell(Done.Instance);
            }
        });
        Command<SaveSnapshotSuccess>(saved =>
        {
            DeleteMessages(saved.Metadata.SequenceNr);
            DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
        });
        Command<SaveSnapshotFailure>(f => _log.Warning("Hand-over snapshot failed: {0}", f.Cause.Message));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning("Deleting old hand-over checkpoints failed: {0}", f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    /// <summary>The recipe.</summary>
    public static Props Props(IActorRef orchestrator, SqlReadJournal readJournal, IntakeSettings settings, AutopilotMetrics metrics) =>
        Akka.Actor.Props.Create(() => new DeliveryHandover(orchestrator, readJournal, settings, metrics));

    /// <summary>The hand-over under a backoff supervisor: a failed checkpoint write stops it; it resumes from the last checkpoint.</summary>
    public static Props Supervised(IActorRef orchestrator, SqlReadJournal readJournal, IntakeSettings settings, AutopilotMetrics metrics) =>
        BackoffSupervisor.Props(Backoff.OnStop(Props(orchestrator, readJournal, settings, metrics), StreamId,
            TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), 0.2, maxNrOfRetries: -1));

    /// <inheritdoc />
    public override string PersistenceId => StreamId;

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <inheritdoc />
    protected override void PreStart()
    {
        IncarnationStarted.Announce(Context);
        base.PreStart();
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _stream?.Shutdown();
        base.PostStop();
    }

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    private void Positioned(long offset) => _confirmedUpTo = _checkpointedUpTo = Math.Max(_checkpointedUpTo, offset);

    /// <summary>
    /// A checkpoint written before hand-overs read the tag names a position in the single intake's stream: find that
    /// delivery's ordering in the journal and resume right after it (from the start when it is gone: the orchestrator
    /// ignores deliveries it already handled).
    /// </summary>
    private void ResumeAfterLegacyCheckpoint()
    {
        _readJournal.CurrentEventsByPersistenceId(WebhookIntake.StreamId, _legacySequenceNr, _legacySequenceNr)
            .Select(e => e.Offset is Sequence s ? s.Value : 0L)
            .RunWith(Sink.FirstOrDefault<long>(), _materializer)
            .PipeTo(Self, success: offset => new LegacyPositionFound(offset), failure: _ => new LegacyPositionFound(0));
    }

    private void StartStream()
    {
        _generation++;
        var generation = _generation;
        _pending.Clear();
        _inFlight = null;
        _singlesLeft = 0;
        _streamAck = null;
        _stream?.Shutdown();
        // What the journal reads while the hand-over is busy goes together, up to a batch.
        _stream = _readJournal.EventsByTag(WebhookIntake.DeliveryTag, Offset.Sequence(_confirmedUpTo)).RunInBatches(_settings.HandoverBatchSize,
            envelopes => new StreamElements(generation, envelopes), Self, new StreamInit(generation), StreamAck.Instance,
            new StreamCompleted(generation), e => new StreamFailed(generation, e), _materializer);
    }

    private void OnElements(StreamElements elements)
    {
        if (elements.Generation != _generation)
        {
            return;
        }

        _streamAck = Sender;
        Timers.Cancel(IdleTimer);
        foreach (var envelope in elements.Envelopes)
        {
            _pending.Enqueue(Classify(envelope));
        }

        HandOverNext();
    }

    /// <summary>
    /// What to do with one envelope of the tag: hand it over, pass it (not a delivery, or handed over already) or abandon
    /// it. Two copies in one batch both go: the orchestrator records the second as already handled.
    /// </summary>
    private Pending Classify(EventEnvelope envelope)
    {
        if (envelope.Event is not DeliveryStored stored)
        {
            return new Pending(envelope, null, null);
        }

        if (_handed.Contains(stored.Key, Now))
        {
            // Stored again by another node's intake (a redelivery that went elsewhere): handed over already.
            _log.Info("Delivery {0} of {1} was stored again by {2}; handed over already", stored.DeliveryId, stored.Source, envelope.PersistenceId);
            return new Pending(envelope, null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(stored.Payload);
            return new Pending(envelope, new ExternalEvent(stored.Source, stored.EventType, stored.DeliveryId, document.RootElement.Clone()), null);
        }
        catch (JsonException e)
        {
            return new Pending(envelope, null, $"the stored payload is not JSON: {e.Message}");
        }
    }

    /// <summary>
    /// Settles the queue from its head: passes what needs no hand-over, abandons what cannot be used, and sends the next
    /// run of deliveries (up to a batch; one after a batch ran out of attempts) unless one is in flight. With the queue
    /// empty it asks the stream for more.
    /// </summary>
    private void HandOverNext()
    {
        while (_inFlight is null && _pending.TryPeek(out var head))
        {
            if (head.Event is null)
            {
                _pending.Dequeue();
                if (head.Unusable is { } reason)
                {
                    Abandon(head, reason); // continues once the abandonment is journaled
                    return;
                }

                Advance(head.Offset, 1);
                continue;
            }

            var size = _singlesLeft > 0 ? 1 : _settings.HandoverBatchSize;
            var items = new List<Pending>(Math.Min(size, _pending.Count));
            while (items.Count < size && _pending.TryPeek(out var next) && next.Event is not null)
            {
                items.Add(_pending.Dequeue());
            }

            _singlesLeft = Math.Max(0, _singlesLeft - 1);
            _inFlight = new InFlight(_generation, items);
            Send(_inFlight);
            return;
        }

        if (_inFlight is null)
        {
            _streamAck?.Tell(StreamAck.Instance);
            _streamAck = null;
        }
    }

    private void Send(InFlight inFlight)
    {
        inFlight.Attempts++;
        var generation = inFlight.Generation;
        var first = inFlight.FirstOffset;
        _orchestrator.Ask<ControlAck>(new ExternalEvents(inFlight.Items.Select(i => i.Event!).ToArray()), _settings.HandoverTimeout).PipeTo(Self,
            success: ack => new Confirmed(generation, first, ack),
            failure: e => new NotConfirmed(generation, first, e.Message));
    }

    private bool IsInFlight(int generation, long firstOffset) =>
        _inFlight is { } inFlight && inFlight.Generation == generation && inFlight.FirstOffset == firstOffset;

    private void OnConfirmed(Confirmed confirmed)
    {
        if (!IsInFlight(confirmed.Generation, confirmed.Offset))
        {
            return;
        }

        var inFlight = _inFlight!;
        if (!confirmed.Ack.Accepted)
        {
            _log.Warning("The orchestrator refused {0} deliveries from {1} of {2}: {3}", inFlight.Items.Count, inFlight.Items[0].Event!.DeliveryId,
                inFlight.Items[0].Event!.Source, confirmed.Ack.Message);
        }

        _inFlight = null;
        foreach (var item in inFlight.Items)
        {
            _metrics.RecordMessageProcessed("webhook-handover");
            var stored = (DeliveryStored)item.Envelope.Event;
            _handed.Remember(stored.Key, stored.At);
            _handedSincePosition.Add(new RememberedDelivery(stored.Key, stored.At));
        }

        Advance(inFlight.Items[^1].Offset, inFlight.Items.Count);
        HandOverNext();
    }

    private void OnNotConfirmed(NotConfirmed failed)
    {
        if (!IsInFlight(failed.Generation, failed.Offset))
        {
            return;
        }

        var inFlight = _inFlight!;
        var first = inFlight.Items[0].Event!;
        if (inFlight.Attempts < _settings.HandoverMaxAttempts)
        {
            var pause = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, inFlight.Attempts - 1)));
            _log.Info("{0} deliveries from {1} of {2} not confirmed by the orchestrator ({3}); attempt {4} in {5}",
                inFlight.Items.Count, first.DeliveryId, first.Source, failed.Reason, inFlight.Attempts + 1, pause);
            Timers.StartSingleTimer(RetryTimer, new Attempt(inFlight.Generation, inFlight.FirstOffset), pause);
            return;
        }

        _inFlight = null;
        if (inFlight.Items.Count > 1)
        {
            // One of them may be what the orchestrator cannot take: try each alone, so only that one is abandoned.
            _log.Warning("{0} deliveries from {1} of {2} were not confirmed in {3} attempts (last: {4}); trying them one at a time",
                inFlight.Items.Count, first.DeliveryId, first.Source, inFlight.Attempts, failed.Reason);
            var rest = _pending.ToArray();
            _pending.Clear();
            foreach (var item in inFlight.Items.Concat(rest))
            {
                _pending.Enqueue(item);
            }

            _singlesLeft = inFlight.Items.Count;
            HandOverNext();
            return;
        }

        Abandon(inFlight.Items[0], $"the orchestrator did not confirm it in {inFlight.Attempts} attempts (last: {failed.Reason})");
    }

    /// <summary>Journals the delivery as abandoned, then moves past it and goes on with the queue.</summary>
    private void Abandon(Pending item, string reason)
    {
        var stored = (DeliveryStored)item.Envelope.Event;
        _log.Error("Delivery {0} of {1} ({2} #{3}) abandoned: {4}", stored.DeliveryId, stored.Source, item.Envelope.PersistenceId, item.Envelope.SequenceNr, reason);
        var generation = _generation;
        Persist(new DeliveryAbandoned(item.Envelope.SequenceNr, stored.Source, stored.DeliveryId, reason, Now, item.Offset, item.Envelope.PersistenceId), _ =>
        {
            _checkpointedUpTo = Math.Max(_checkpointedUpTo, item.Offset);
            if (generation == _generation)
            {
                Advance(item.Offset, 1);
                HandOverNext();
            }
        });
    }

    private static long OffsetOf(EventEnvelope envelope) => envelope.Offset is Sequence s ? s.Value : 0;

    /// <summary>Moves the confirmed position to <paramref name="offset"/> after <paramref name="settled"/> more envelopes were settled; checkpoints when due.</summary>
    private void Advance(long offset, int settled)
    {
        _confirmedUpTo = Math.Max(_confirmedUpTo, offset);
        _sinceCheckpoint += settled;
        _settledSinceSnapshot += settled;
        if (_sinceCheckpoint >= _settings.HandoverCheckpointEvery)
        {
            Checkpoint();
        }
        else
        {
            Timers.StartSingleTimer(IdleTimer, IdleCheckpoint.Instance, TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Writes the position when it moved; <paramref name="written"/> runs once it is durable. False when there was nothing to write.</summary>
    private bool Checkpoint(Action? written = null)
    {
        if (_confirmedUpTo <= _checkpointedUpTo && _handedSincePosition.Count == 0)
        {
            return false;
        }

        _sinceCheckpoint = 0;
        var upTo = _confirmedUpTo;
        var handed = _handedSincePosition.ToArray();
        _handedSincePosition.Clear();
        PersistAsync(new HandoverPosition(upTo, handed), _ =>
        {
            _checkpointedUpTo = Math.Max(_checkpointedUpTo, upTo);
            if (_handed.SnapshotDue(_settledSinceSnapshot, _settings.SnapshotEvery))
            {
                _settledSinceSnapshot = 0;
                _handed.Prune(Now);
                SaveSnapshot(new HandoverSnapshot(_checkpointedUpTo, _handed.Snapshot()));
            }

            written?.Invoke();
        });
        return true;
    }

    /// <summary>An envelope of the tag not settled yet: a delivery to hand over (<see cref="Event"/>), one to abandon (<see cref="Unusable"/>), or neither (passed).</summary>
    private sealed record Pending(EventEnvelope Envelope, ExternalEvent? Event, string? Unusable)
    {
        public long Offset => OffsetOf(Envelope);
    }

    /// <summary>Deliveries sent to the orchestrator and not yet confirmed.</summary>
    private sealed class InFlight(int generation, List<Pending> items)
    {
        public int Generation { get; } = generation;

        public List<Pending> Items { get; } = items;

        public long FirstOffset => Items[0].Offset;

        public int Attempts { get; set; }
    }

    private sealed record StreamInit(int Generation);

    private sealed record StreamAck
    {
        public static readonly StreamAck Instance = new();
    }

    private sealed record StreamElements(int Generation, List<EventEnvelope> Envelopes);

    private sealed record StreamCompleted(int Generation);

    private sealed record StreamFailed(int Generation, Exception Cause);

    private sealed record RestartStream
    {
        public static readonly RestartStream Instance = new();
    }

    private sealed record IdleCheckpoint
    {
        public static readonly IdleCheckpoint Instance = new();
    }

    private sealed record Attempt(int Generation, long Offset);

    private sealed record Confirmed(int Generation, long Offset, ControlAck Ack);

    private sealed record NotConfirmed(int Generation, long Offset, string Reason);

    private sealed record LegacyPositionFound(long Offset);
}
