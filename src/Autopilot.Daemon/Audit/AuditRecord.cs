using System.Reflection;
using System.Text.Json;
using Akka.Persistence.Query;
using Autopilot.Agents.Serialization;
using Autopilot.Agents.Migrations;
using Autopilot.Agents.Protocol;

namespace Autopilot.Daemon.Audit;

/// <summary>
/// One audit event as the admin API and the CLI show it: where it sits in the journal, what kind it is, its OODA
/// phase, and the event's own fields (already redacted by whoever recorded it).
/// </summary>
/// <param name="Offset">Global journal offset (resume point of the live stream).</param>
/// <param name="PersistenceId">The stream that wrote it.</param>
/// <param name="SequenceNr">Its position in that stream.</param>
/// <param name="Type">Event manifest, e.g. <c>autopilot.action_failed</c>.</param>
/// <param name="Phase">observe, orient, decide, act, alert, incident, security or mode.</param>
/// <param name="Result">success or failure for outcomes, else null.</param>
/// <param name="Service">The service concerned, if any.</param>
/// <param name="Tags">Journal tags.</param>
/// <param name="Timestamp">When it was persisted.</param>
/// <param name="Event">The event's fields.</param>
public sealed record AuditRecord(
    long Offset,
    string PersistenceId,
    long SequenceNr,
    string Type,
    string Phase,
    string? Result,
    string? Service,
    IReadOnlyList<string> Tags,
    DateTimeOffset Timestamp,
    JsonElement Event)
{
    /// <summary>JSON options of the API (camelCase, enums as strings).</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>Describes a journal envelope.</summary>
    public static AuditRecord From(EventEnvelope envelope)
    {
        var payload = envelope.Event;
        var fields = JsonSerializer.SerializeToElement(payload, payload.GetType(), Json);
        var type = payload.GetType().GetCustomAttribute<EventManifestAttribute>()?.Manifest ?? payload.GetType().Name;
        // The tags follow from the event (what the journal's AuditTagger wrote); the envelope may carry only the queried one.
        var tags = AuditEvents.TagsFor(payload).Concat(envelope.Tags ?? []).Distinct(StringComparer.Ordinal).ToArray();
        return new AuditRecord(EnvelopeTime.OffsetOf(envelope), envelope.PersistenceId, envelope.SequenceNr, type, PhaseOf(payload), ResultOf(payload),
            StringField(fields, "service"), tags, EnvelopeTime.Of(envelope), fields);
    }

    /// <summary>The OODA phase an event belongs to (see <see cref="AuditFilter.Phases"/>).</summary>
    internal static string PhaseOf(object payload) => payload switch
    {
        Observed or ExternalEventReceived or N8nFailureDetected => "observe",
        Oriented => "orient",
        Decided => "decide",
        ActionRequested or ActionCompleted or ActionFailed or N8nRecoveryAttempted or MigrationStepRequested or MigrationStepRecorded => "act",
        AlertSent => "alert",
        IncidentOpened or IncidentUpdated => "incident",
        SecurityEventRecorded => "security",
        AutopilotModeChanged => "mode",
        SingletonStarted or SingletonStopped => "cluster",
        ApprovalRequested or ApprovalDecided or ApprovalExpired => "approval",
        Agents.Tasks.TaskSubmitted or Agents.Tasks.TaskStarted or Agents.Tasks.TaskFinished or Agents.Tasks.TaskCancelled or Agents.Tasks.TaskTimedOut => "task",
        _ => "other",
    };

    private static string? ResultOf(object payload) => payload switch
    {
        ActionCompleted => "success",
        ActionFailed => "failure",
        N8nRecoveryAttempted attempt => attempt.Success ? "success" : "failure",
        MigrationStepRecorded step => step.Succeeded ? "success" : "failure",
        _ => null,
    };

    private static string? StringField(JsonElement fields, string name) =>
        fields.ValueKind == JsonValueKind.Object && fields.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
