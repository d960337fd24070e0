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
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Metrics;

namespace Autopilot.Daemon.Intake;

/// <summary>
/// Brings every delivery any intake committed to the orchestrator, from the journal: it follows the
/// <see cref="WebhookIntake.DeliveryTag"/> tag (the intakes of all cluster nodes) with
/// <see cref="IEventsByTagQuery.EventsByTag"/> from the position it persisted, hands each <see cref="DeliveryStored"/>
/// over as an <see cref="ExternalEvent"/> and moves on only once the orchestrator confirmed it (<see cref="ControlAck"/>,
/// sent after the orchestrator's record committed). So a delivery answered 202 by any node reaches the orchestrator
/// even if that node died right after, or the orchestrator was moving to another node.
/// </summary>
/// <remarks>
/// <para>One delivery at a time, in journal order. A delivery the orchestrator does not confirm is retried with a
/// growing pause; after <see cref="IntakeSettings.HandoverMaxAttempts"/> attempts it is recorded as
/// <see cref="DeliveryAbandoned"/> (never silently dropped) and the hand-over continues. The position is written every
/// <see cref="IntakeSettings.HandoverCheckpointEvery"/> confirmations and when the stream goes idle.</para>
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
    private UniqueKillSwitch? _stream;
    private IActorRef? _streamAck;
    private Current? _current;
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
        Command<StreamElement>(OnElement);
        Command<Attempt>(attempt =>
        {
            if (_current is { } current && current.Generation == attempt.Generation && OffsetOf(current.Envelope) == attempt.Offset)
            {
                Send(current);
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
        _current = null;
        _streamAck = null;
        _stream?.Shutdown();
        _stream = _readJournal.EventsByTag(WebhookIntake.DeliveryTag, Offset.Sequence(_confirmedUpTo))
            .ViaMaterialized(KillSwitches.Single<EventEnvelope>(), Keep.Right)
            .Select(e => (object)new StreamElement(generation, e))
            .ToMaterialized(Sink.ActorRefWithAck<object>(Self, new StreamInit(generation), StreamAck.Instance,
                new StreamCompleted(generation), e => new StreamFailed(generation, e)), Keep.Left)
            .Run(_materializer);
    }

    private void OnElement(StreamElement element)
    {
        if (element.Generation != _generation)
        {
            return;
        }

        _streamAck = Sender;
        Timers.Cancel(IdleTimer);
        var offset = OffsetOf(element.Envelope);
        if (element.Envelope.Event is not DeliveryStored stored)
        {
            Advance(offset);
            return;
        }

        if (_handed.Contains(stored.Key, Now))
        {
            // Stored again by another node's intake (a redelivery that went elsewhere): handed over already.
            _log.Info("Delivery {0} of {1} was stored again by {2}; handed over already", stored.DeliveryId, stored.Source, element.Envelope.PersistenceId);
            Advance(offset);
            return;
        }

        JsonElement payload;
        try
        {
            using var document = JsonDocument.Parse(stored.Payload);
            payload = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            Abandon(element.Envelope, stored, $"the stored payload is not JSON: {e.Message}");
            return;
        }

        var current = new Current(_generation, element.Envelope, new ExternalEvent(stored.Source, stored.EventType, stored.DeliveryId, payload));
        _current = current;
        Send(current);
    }

    private void Send(Current current)
    {
        current.Attempts++;
        var offset = OffsetOf(current.Envelope);
        var generation = current.Generation;
        _orchestrator.Ask<ControlAck>(current.Event, _settings.HandoverTimeout).PipeTo(Self,
            success: ack => new Confirmed(generation, offset, ack),
            failure: e => new NotConfirmed(generation, offset, e.Message));
    }

    private void OnConfirmed(Confirmed confirmed)
    {
        if (_current is not { } current || current.Generation != confirmed.Generation || OffsetOf(current.Envelope) != confirmed.Offset)
        {
            return;
        }

        if (!confirmed.Ack.Accepted)
        {
            _log.Warning("The orchestrator refused delivery {0} of {1}: {2}", current.Event.DeliveryId, current.Event.Source, confirmed.Ack.Message);
        }

        _metrics.RecordMessageProcessed("webhook-handover");
        _current = null;
        var stored = (DeliveryStored)current.Envelope.Event;
        _handed.Remember(stored.Key, stored.At);
        _handedSincePosition.Add(new RememberedDelivery(stored.Key, stored.At));
        Advance(confirmed.Offset);
    }

    private void OnNotConfirmed(NotConfirmed failed)
    {
        if (_current is not { } current || current.Generation != failed.Generation || OffsetOf(current.Envelope) != failed.Offset)
        {
            return;
        }

        if (current.Attempts >= _settings.HandoverMaxAttempts)
        {
            _current = null;
            Abandon(current.Envelope, (DeliveryStored)current.Envelope.Event,
                $"the orchestrator did not confirm it in {current.Attempts} attempts (last: {failed.Reason})");
            return;
        }

        var pause = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, current.Attempts - 1)));
        _log.Info("Delivery {0} of {1} not confirmed by the orchestrator ({2}); attempt {3} in {4}",
            current.Event.DeliveryId, current.Event.Source, failed.Reason, current.Attempts + 1, pause);
        Timers.StartSingleTimer(RetryTimer, new Attempt(current.Generation, OffsetOf(current.Envelope)), pause);
    }

    private void Abandon(EventEnvelope envelope, DeliveryStored stored, string reason)
    {
        _log.Error("Delivery {0} of {1} ({2} #{3}) abandoned: {4}", stored.DeliveryId, stored.Source, envelope.PersistenceId, envelope.SequenceNr, reason);
        var generation = _generation;
        var offset = OffsetOf(envelope);
        Persist(new DeliveryAbandoned(envelope.SequenceNr, stored.Source, stored.DeliveryId, reason, Now, offset, envelope.PersistenceId), _ =>
        {
            _checkpointedUpTo = Math.Max(_checkpointedUpTo, offset);
            if (generation == _generation)
            {
                Advance(offset);
            }
        });
    }

    private static long OffsetOf(EventEnvelope envelope) => envelope.Offset is Sequence s ? s.Value : 0;

    private void Advance(long offset)
    {
        _confirmedUpTo = Math.Max(_confirmedUpTo, offset);
        if (++_sinceCheckpoint >= _settings.HandoverCheckpointEvery)
        {
            Checkpoint();
        }
        else
        {
            Timers.StartSingleTimer(IdleTimer, IdleCheckpoint.Instance, TimeSpan.FromSeconds(1));
        }

        _streamAck?.Tell(StreamAck.Instance);
        _streamAck = null;
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
            if (LastSequenceNr % 1000 == 0)
            {
                _handed.Prune(Now);
                SaveSnapshot(new HandoverSnapshot(_checkpointedUpTo, _handed.Snapshot()));
            }

            written?.Invoke();
        });
        return true;
    }

    private sealed class Current(int generation, EventEnvelope envelope, ExternalEvent @event)
    {
        public int Generation { get; } = generation;

        public EventEnvelope Envelope { get; } = envelope;

        public ExternalEvent Event { get; } = @event;

        public int Attempts { get; set; }
    }

    private sealed record StreamInit(int Generation);

    private sealed record StreamAck
    {
        public static readonly StreamAck Instance = new();
    }

    private sealed record StreamElement(int Generation, EventEnvelope Envelope);

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
