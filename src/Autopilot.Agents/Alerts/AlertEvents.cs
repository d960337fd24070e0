using System.Text.Json.Serialization;
using Autopilot.Agents.Serialization;
using Autopilot.Agents.Protocol;

namespace Autopilot.Agents.Alerts;

/// <summary>
/// The alerts worker took responsibility for an alert (its outbox entry): from here on it is delivered or its
/// abandonment is recorded, across restarts. A folded alert was counted into a storm instead of being sent.
/// </summary>
/// <param name="AlertId">Identity.</param>
/// <param name="Severity">Severity.</param>
/// <param name="Title">Title.</param>
/// <param name="Body">Body (redacted by the sender).</param>
/// <param name="Fingerprint">Incident kind.</param>
/// <param name="Service">Service, if any.</param>
/// <param name="Channels">Channels it must reach (empty for INFO and folded alerts).</param>
/// <param name="Folded">Counted into an open storm window instead of being sent.</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.alert_accepted", Version = 1)]
public sealed record AlertAccepted(
    string AlertId, AlertSeverity Severity, string Title, string Body, string Fingerprint, string? Service, IReadOnlyList<string> Channels, bool Folded, DateTimeOffset At)
{
    /// <summary>The message to deliver.</summary>
    public AlertMessage ToMessage() => new(AlertId, Severity, Title, Body, Fingerprint, Service);
}

/// <summary>An accepted alert reached one of its channels.</summary>
/// <param name="AlertId">The alert.</param>
/// <param name="Channel">The channel.</param>
/// <param name="Attempts">Attempts it took (since the last restart).</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.alert_channel_delivered", Version = 1)]
public sealed record AlertChannelDelivered(string AlertId, string Channel, int Attempts, DateTimeOffset At);

/// <summary>The alerts worker gave up delivering an alert to a channel after its retries: on the record for humans to see.</summary>
/// <param name="AlertId">The alert.</param>
/// <param name="Severity">Severity.</param>
/// <param name="Title">Title.</param>
/// <param name="Fingerprint">Incident kind.</param>
/// <param name="Channel">The channel that never took it.</param>
/// <param name="Attempts">Attempts made.</param>
/// <param name="Error">The last error, redacted.</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.alert_delivery_abandoned", Version = 1)]
public sealed record AlertDeliveryAbandoned(
    string AlertId, AlertSeverity Severity, string Title, string Fingerprint, string Channel, int Attempts, string Error, DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.Alerts;
}

/// <summary>Registration of the alerts worker's own journal events.</summary>
public static class AlertEvents
{
    /// <summary>Registers the alerts worker's events (and the audit events) with <paramref name="serializer"/> (an <see cref="EventCatalog"/>; the Akka <see cref="EventSerializer"/> finds them by their attribute).</summary>
    public static EventCatalog Register(EventCatalog serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        AuditEvents.Register(serializer);
        foreach (var type in new[] { typeof(AlertAccepted), typeof(AlertChannelDelivered), typeof(AlertDeliveryAbandoned) })
        {
            if (!serializer.IsRegistered(type))
            {
                serializer.Register(type);
            }
        }

        return serializer;
    }
}
