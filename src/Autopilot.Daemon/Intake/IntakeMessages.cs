using System.Text.Json;
using Autopilot.Agents.Protocol;

namespace Autopilot.Daemon.Intake;

/// <summary>A verified webhook delivery to journal (with its payload) before the HTTP answer.</summary>
/// <param name="Source">github, railway or n8n.</param>
/// <param name="EventType">The platform's event name.</param>
/// <param name="DeliveryId">The platform's delivery id (or the body's hash when the platform sends none).</param>
/// <param name="Payload">The JSON body.</param>
public sealed record ReceiveDelivery(string Source, string EventType, string DeliveryId, JsonElement Payload);

/// <summary>The delivery and its payload are committed to the journal; the hand-over brings it to the orchestrator.</summary>
/// <param name="DeliveryId">Which one.</param>
public sealed record DeliveryAccepted(string DeliveryId);

/// <summary>A delivery with this id was committed before (within the de-duplication window); nothing was written.</summary>
/// <param name="DeliveryId">Which one.</param>
public sealed record DeliveryDuplicate(string DeliveryId);

/// <summary>The journal refused the delivery (rejected write); the sender should deliver again later.</summary>
/// <param name="DeliveryId">Which one.</param>
/// <param name="Reason">Why, without secrets.</param>
public sealed record DeliveryNotStored(string DeliveryId, string Reason);

/// <summary>Journals a security event (bad signature, bad token) and answers <see cref="SecurityEventStored"/>.</summary>
/// <param name="Event">What happened.</param>
public sealed record RecordSecurityEvent(SecurityEventRecorded Event);

/// <summary>The security event is durable.</summary>
public sealed record SecurityEventStored;

/// <summary>Closes the intake for shutdown: every later delivery is answered <see cref="IntakeClosed"/> (503).</summary>
public sealed record CloseIntake
{
    /// <summary>The instance.</summary>
    public static readonly CloseIntake Instance = new();
}

/// <summary>The intake is closed (the daemon is stopping); deliver again later.</summary>
public sealed record IntakeClosed;

/// <summary>
/// Asks the hand-over to write its position now (before a graceful stop), so a restart resumes exactly after the last
/// confirmed delivery and still knows which delivery ids it handed over; answered with <see cref="Akka.Done"/> once written.
/// </summary>
public sealed record WritePosition
{
    /// <summary>The instance.</summary>
    public static readonly WritePosition Instance = new();
}
