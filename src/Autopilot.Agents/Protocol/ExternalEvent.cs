using System.Text.Json;
using Autopilot.Agents.Serialization;

namespace Autopilot.Agents.Protocol;

/// <summary>
/// A verified webhook delivery or inbox entry handed to the orchestrator. Verification (signatures, replay) happens
/// before this message exists; the orchestrator treats it as trusted input and turns it into observations.
/// </summary>
/// <param name="Source"><c>github</c>, <c>railway</c> or <c>n8n</c>.</param>
/// <param name="EventType">The platform's event name, e.g. GitHub's <c>X-GitHub-Event</c> (<c>push</c>, <c>workflow_run</c>, <c>check_suite</c>).</param>
/// <param name="DeliveryId">The platform's delivery id, used to ignore redeliveries.</param>
/// <param name="Payload">The JSON body.</param>
[EventManifest("autopilot.control.external_event")]
public sealed record ExternalEvent(string Source, string EventType, string DeliveryId, JsonElement Payload)
{
    /// <summary>
    /// The string at <paramref name="path"/> in the payload (a number as written), or null when a step is missing or
    /// not an object, or the value is of another kind. A signed delivery can still have any shape: reading it this
    /// way turns an unexpected shape into "not there" instead of an exception that would stop the reader.
    /// </summary>
    public string? Text(params string[] path)
    {
        var element = Payload;
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }
        }

        return element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.GetRawText(),
            _ => null,
        };
    }
}

/// <summary>
/// Deliveries handed to the orchestrator together, in order: it journals them in one write and answers one
/// <see cref="ControlAck"/> once that write committed (a delivery id it handled before is skipped, as alone). The
/// hand-over sends what the journal gave it at once, so a burst costs a commit per batch, not per delivery.
/// </summary>
/// <param name="Events">The deliveries, oldest first.</param>
[EventManifest("autopilot.control.external_events")]
public sealed record ExternalEvents(IReadOnlyList<ExternalEvent> Events);

/// <summary>Well-known values of <see cref="ExternalEvent.Source"/>.</summary>
public static class ExternalEventSources
{
    /// <summary>GitHub webhooks.</summary>
    public const string GitHub = "github";

    /// <summary>Railway webhooks.</summary>
    public const string Railway = "railway";

    /// <summary>n8n webhooks / error workflow callbacks.</summary>
    public const string N8n = "n8n";

    /// <summary>Telegram Bot API updates (button presses of approvals), by webhook or long polling; delivery id = update_id.</summary>
    public const string Telegram = "telegram";
}
