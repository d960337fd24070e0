using System.Text.Json;
using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Akka.Persistence;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Metrics;

namespace Autopilot.Daemon.Intake;

/// <summary>
/// Brings every delivery the intake committed to the orchestrator, from the journal: it follows the intake's stream
/// with <see cref="IEventsByPersistenceIdQuery.EventsByPersistenceId"/> from its own checkpoint, hands each
/// <see cref="DeliveryStored"/> over as an <see cref="ExternalEvent"/> and moves on only once the orchestrator
/// confirmed it (<see cref="ControlAck"/>, sent after the orchestrator's record committed). So a delivery answered 202
/// reaches the orchestrator even if the daemon crashed before the orchestrator wrote anything, or the orchestrator was
/// in backoff when it arrived; one handed over twice (after a crash before the checkpoint) is ignored by the
/// orchestrator, which journals the delivery ids it handled.
/// </summary>
/// <remarks>
/// One delivery at a time, in journal order. A delivery the orchestrator does not confirm is retried with a growing
/// pause; after <see cref="IntakeSettings.HandoverMaxAttempts"/> attempts it is recorded as <see cref="DeliveryAbandoned"/>
/// (never silently dropped) and the hand-over continues. The checkpoint is written every
/// <see cref="IntakeSettings.HandoverCheckpointEvery"/> confirmations and when the stream goes idle.
/// </remarks>
public sealed class DeliveryHandover : ReceivePersistentActor, IWithTimers
{
    /// <summary>Persistence id of the hand-over's checkpoints.</summary>
    public const string StreamId = "webhook-handover";

    private const string RetryTimer = "retry";
    private const string RestartTimer = "restart-stream";
    private const string IdleTimer = "idle-checkpoint";

    private readonly IActorRef _orchestrator;
    private readonly IEventsByPersistenceIdQuery _readJournal;
    private readonly IntakeSettings _settings;
    private readonly AutopilotMetrics _metrics;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _confirmedUpTo;
    private long _checkpointedUpTo;
    private int _sinceCheckpoint;
    private UniqueKillSwitch? _stream;
    private IActorRef? _streamAck;
    private Current? _current;
    private int _generation;

    /// <summary>Creates the hand-over.</summary>
    public DeliveryHandover(IActorRef orchestrator, IEventsByPersistenceIdQuery readJournal, IntakeSettings settings, AutopilotMetrics metrics)
    {
        _orchestrator = orchestrator;
        _readJournal = readJournal;
        _settings = settings;
        _metrics = metrics;

        Recover<HandoverCheckpoint>(c => _confirmedUpTo = _checkpointedUpTo = Math.Max(_confirmedUpTo, c.SequenceNr));
        Recover<DeliveryAbandoned>(a => _confirmedUpTo = _checkpointedUpTo = Math.Max(_confirmedUpTo, a.SequenceNr));
        Recover<SnapshotOffer>(offer => _confirmedUpTo = _checkpointedUpTo = ((HandoverCheckpoint)offer.Snapshot).SequenceNr);
        Recover<RecoveryCompleted>(_ => StartStream());

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
            if (_current is { } current && current.Generation == attempt.Generation && current.Envelope.SequenceNr == attempt.SequenceNr)
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
    public static Props Props(IActorRef orchestrator, IEventsByPersistenceIdQuery readJournal, IntakeSettings settings, AutopilotMetrics metrics) =>
        Akka.Actor.Props.Create(() => new DeliveryHandover(orchestrator, readJournal, settings, metrics));

    /// <summary>The hand-over under a backoff supervisor: a failed checkpoint write stops it; it resumes from the last checkpoint.</summary>
    public static Props Supervised(IActorRef orchestrator, IEventsByPersistenceIdQuery readJournal, IntakeSettings settings, AutopilotMetrics metrics) =>
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

    private void StartStream()
    {
        _generation++;
        var generation = _generation;
        _current = null;
        _streamAck = null;
        _stream?.Shutdown();
        _stream = _readJournal.EventsByPersistenceId(WebhookIntake.StreamId, _confirmedUpTo + 1, long.MaxValue)
            .ViaMaterialized(KillSwitches.Single<EventEnvelope>(), Keep.Right)
            .Select(e => (object)new StreamElement(generation, e))
            .ToMaterialized(Sink.ActorRefWithAck<object>(Self, new StreamInit(generation), StreamAck.Instance,
                new StreamCompleted(generation), e => new StreamFailed(generation, e)), Keep.Left)
            .Run(Context.Materializer());
    }

    private void OnElement(StreamElement element)
    {
        if (element.Generation != _generation)
        {
            return;
        }

        _streamAck = Sender;
        Timers.Cancel(IdleTimer);
        if (element.Envelope.Event is not DeliveryStored stored)
        {
            // Security events share the intake's stream; nothing to hand over.
            Advance(element.Envelope.SequenceNr);
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
            Abandon(element.Envelope.SequenceNr, stored, $"the stored payload is not JSON: {e.Message}");
            return;
        }

        var current = new Current(_generation, element.Envelope, new ExternalEvent(stored.Source, stored.EventType, stored.DeliveryId, payload));
        _current = current;
        Send(current);
    }

    private void Send(Current current)
    {
        current.Attempts++;
        var sequenceNr = current.Envelope.SequenceNr;
        var generation = current.Generation;
        _orchestrator.Ask<ControlAck>(current.Event, _settings.HandoverTimeout).PipeTo(Self,
            success: ack => new Confirmed(generation, sequenceNr, ack),
            failure: e => new NotConfirmed(generation, sequenceNr, e.Message));
    }

    private void OnConfirmed(Confirmed confirmed)
    {
        if (_current is not { } current || current.Generation != confirmed.Generation || current.Envelope.SequenceNr != confirmed.SequenceNr)
        {
            return;
        }

        if (!confirmed.Ack.Accepted)
        {
            _log.Warning("The orchestrator refused delivery {0} of {1}: {2}", current.Event.DeliveryId, current.Event.Source, confirmed.Ack.Message);
        }

        _metrics.RecordMessageProcessed("webhook-handover");
        _current = null;
        Advance(confirmed.SequenceNr);
    }

    private void OnNotConfirmed(NotConfirmed failed)
    {
        if (_current is not { } current || current.Generation != failed.Generation || current.Envelope.SequenceNr != failed.SequenceNr)
        {
            return;
        }

        if (current.Attempts >= _settings.HandoverMaxAttempts)
        {
            _current = null;
            Abandon(current.Envelope.SequenceNr, (DeliveryStored)current.Envelope.Event,
                $"the orchestrator did not confirm it in {current.Attempts} attempts (last: {failed.Reason})");
            return;
        }

        var pause = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, current.Attempts - 1)));
        _log.Info("Delivery {0} of {1} not confirmed by the orchestrator ({2}); attempt {3} in {4}",
            current.Event.DeliveryId, current.Event.Source, failed.Reason, current.Attempts + 1, pause);
        Timers.StartSingleTimer(RetryTimer, new Attempt(current.Generation, current.Envelope.SequenceNr), pause);
    }

    private void Abandon(long sequenceNr, DeliveryStored stored, string reason)
    {
        _log.Error("Delivery {0} of {1} (intake #{2}) abandoned: {3}", stored.DeliveryId, stored.Source, sequenceNr, reason);
        var generation = _generation;
        Persist(new DeliveryAbandoned(sequenceNr, stored.Source, stored.DeliveryId, reason, Context.System.Scheduler.Now), _ =>
        {
            _checkpointedUpTo = Math.Max(_checkpointedUpTo, sequenceNr);
            if (generation == _generation)
            {
                Advance(sequenceNr);
            }
        });
    }

    private void Advance(long sequenceNr)
    {
        _confirmedUpTo = Math.Max(_confirmedUpTo, sequenceNr);
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

    private void Checkpoint()
    {
        if (_confirmedUpTo <= _checkpointedUpTo)
        {
            return;
        }

        _sinceCheckpoint = 0;
        var upTo = _confirmedUpTo;
        PersistAsync(new HandoverCheckpoint(upTo), _ =>
        {
            _checkpointedUpTo = Math.Max(_checkpointedUpTo, upTo);
            if (LastSequenceNr % 1000 == 0)
            {
                SaveSnapshot(new HandoverCheckpoint(_checkpointedUpTo));
            }
        });
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

    private sealed record Attempt(int Generation, long SequenceNr);

    private sealed record Confirmed(int Generation, long SequenceNr, ControlAck Ack);

    private sealed record NotConfirmed(int Generation, long SequenceNr, string Reason);
}
