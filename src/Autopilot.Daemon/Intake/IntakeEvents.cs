using Autopilot.Agents.Serialization;

namespace Autopilot.Daemon.Intake;

/// <summary>
/// What the intake and the hand-over write to the journal. Each type carries an <see cref="EventManifestAttribute"/>, so
/// the agents' <see cref="EventSerializer"/> stores it as versioned JSON with a stable manifest: the daemon's assembly
/// is passed to <see cref="AgentsPersistence.Hocon"/>, which binds these types and lets the serializer scan it.
/// </summary>
public interface IIntakePersisted;

/// <summary>
/// A webhook delivery, payload included, as the intake committed it before answering 202. The orchestrator receives it
/// from the journal (<see cref="DeliveryHandover"/>), so the promise of the 202 holds across crashes.
/// </summary>
/// <param name="Source">github, railway or n8n.</param>
/// <param name="EventType">The platform's event name.</param>
/// <param name="DeliveryId">The platform's delivery id (or the body's hash).</param>
/// <param name="Payload">The JSON body as received (UTF-8 text of a valid JSON document).</param>
/// <param name="At">When it was committed.</param>
[EventManifest("autopilot.daemon.delivery_stored", Version = 1)]
public sealed record DeliveryStored(string Source, string EventType, string DeliveryId, string Payload, DateTimeOffset At) : IIntakePersisted
{
    /// <summary>The de-duplication key <c>source:delivery-id</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Key => IntakeKeys.Of(Source, DeliveryId);
}

/// <summary>Snapshot of the intake: the delivery keys committed within the de-duplication window, oldest first.</summary>
/// <param name="Deliveries">Key and commit time of each remembered delivery.</param>
[EventManifest("autopilot.daemon.intake_snapshot", Version = 1)]
public sealed record IntakeSnapshot(IReadOnlyList<RememberedDelivery> Deliveries) : IIntakePersisted;

/// <summary>One remembered delivery of an <see cref="IntakeSnapshot"/>.</summary>
/// <param name="Key"><c>source:delivery-id</c>.</param>
/// <param name="At">When it was committed.</param>
public sealed record RememberedDelivery(string Key, DateTimeOffset At);

/// <summary>
/// Before hand-overs read the "delivery" tag: the orchestrator had confirmed the single intake stream
/// (<see cref="WebhookIntake.StreamId"/>) up to <paramref name="SequenceNr"/>. Still read, so a hand-over recovering
/// from such a checkpoint resumes right after that delivery (see <see cref="DeliveryHandover"/>).
/// </summary>
/// <param name="SequenceNr">Position in the intake's stream.</param>
[EventManifest("autopilot.daemon.handover_checkpoint", Version = 1)]
public sealed record HandoverCheckpoint(long SequenceNr) : IIntakePersisted;

/// <summary>
/// The orchestrator confirmed every delivery of the "delivery" tag up to <paramref name="Offset"/> (the journal's global
/// ordering, across the intakes of all nodes); <paramref name="Handed"/> are the deliveries confirmed since the previous
/// position, so a recovering hand-over knows which delivery ids it already handed over (another node may store a
/// redelivery of one of them).
/// </summary>
/// <param name="Offset">Ordering of the last confirmed delivery.</param>
/// <param name="Handed">Keys and commit times of the deliveries confirmed since the previous position.</param>
[EventManifest("autopilot.daemon.handover_position", Version = 1)]
public sealed record HandoverPosition(long Offset, IReadOnlyList<RememberedDelivery> Handed) : IIntakePersisted;

/// <summary>Snapshot of the hand-over: its position and the delivery ids handed over within the de-duplication window.</summary>
/// <param name="Offset">Ordering of the last confirmed delivery.</param>
/// <param name="Handed">Keys and commit times, oldest first.</param>
[EventManifest("autopilot.daemon.handover_snapshot", Version = 1)]
public sealed record HandoverSnapshot(long Offset, IReadOnlyList<RememberedDelivery> Handed) : IIntakePersisted;

/// <summary>
/// The orchestrator never confirmed a stored delivery within the configured attempts; the hand-over moved on so later
/// deliveries are not held up. Operators find these in the hand-over's stream and the log.
/// </summary>
/// <param name="SequenceNr">Position of the delivery in its intake's stream.</param>
/// <param name="Source">Its source.</param>
/// <param name="DeliveryId">Its delivery id.</param>
/// <param name="Reason">Why it was given up.</param>
/// <param name="At">When.</param>
/// <param name="Offset">Its ordering in the journal (the hand-over's position after it); null in entries written before hand-overs read the tag.</param>
/// <param name="Stream">The intake stream that stored it; null in entries written before.</param>
[EventManifest("autopilot.daemon.delivery_abandoned", Version = 1)]
public sealed record DeliveryAbandoned(long SequenceNr, string Source, string DeliveryId, string Reason, DateTimeOffset At, long? Offset = null, string? Stream = null)
    : IIntakePersisted;

/// <summary>The de-duplication key of a delivery.</summary>
public static class IntakeKeys
{
    /// <summary><c>source:delivery-id</c>.</summary>
    public static string Of(string source, string deliveryId) => $"{source}:{deliveryId}";
}
