using System.Text.Json;
using Autopilot.Actors.Persistence.Serialization;
using Autopilot.Agents.Protocol;

namespace Autopilot.Daemon.Intake;

/// <summary>A verified webhook delivery to journal and hand to the orchestrator.</summary>
/// <param name="Source">github, railway or n8n.</param>
/// <param name="EventType">The platform's event name.</param>
/// <param name="DeliveryId">The platform's delivery id (or the body's hash when the platform sends none).</param>
/// <param name="Payload">The JSON body.</param>
public sealed record ReceiveDelivery(string Source, string EventType, string DeliveryId, JsonElement Payload);

/// <summary>The delivery is durable in the journal and was handed to the orchestrator.</summary>
/// <param name="DeliveryId">Which one.</param>
public sealed record DeliveryAccepted(string DeliveryId);

/// <summary>The delivery was accepted before; it was not processed again.</summary>
/// <param name="DeliveryId">Which one.</param>
public sealed record DeliveryDuplicate(string DeliveryId);

/// <summary>Journals a security event (bad signature, bad token) and answers <see cref="SecurityEventStored"/>.</summary>
/// <param name="Event">What happened.</param>
public sealed record RecordSecurityEvent(SecurityEventRecorded Event);

/// <summary>The security event is durable.</summary>
public sealed record SecurityEventStored;

/// <summary>
/// Snapshot of the intake: the most recent delivery keys, oldest first, so redeliveries stay recognised across
/// restarts without replaying the whole intake stream.
/// </summary>
/// <param name="RecentDeliveries">Keys <c>source:delivery-id</c>.</param>
[EventManifest("autopilot.daemon.intake_snapshot", Version = 1)]
public sealed record IntakeSnapshot(IReadOnlyList<string> RecentDeliveries);
