using System.Reflection;
using System.Text.Json;
using Autopilot.Actors.Persistence.Serialization;

namespace Autopilot.Daemon.ClusterHarness.Audit;

/// <summary>One record of the audit trail as the admin API serves it (<c>GET /api/audit</c>).</summary>
/// <param name="Offset">Global journal offset.</param>
/// <param name="PersistenceId">The stream that wrote it.</param>
/// <param name="SequenceNr">Its position in that stream.</param>
/// <param name="Type">The event manifest, e.g. <c>autopilot.action_requested</c>.</param>
/// <param name="Tags">Journal tags.</param>
/// <param name="Timestamp">When it was persisted.</param>
/// <param name="Event">The event's fields.</param>
public sealed record AuditEntry(long Offset, string PersistenceId, long SequenceNr, string Type, IReadOnlyList<string> Tags, DateTimeOffset Timestamp, JsonElement Event)
{
    /// <summary>True when the entry is an event of type <typeparamref name="T"/> (compared by manifest).</summary>
    public bool Is<T>() => Type == ManifestOf<T>();

    /// <summary>A string field of the event (camelCase name), or null.</summary>
    public string? Field(string name) =>
        Event.ValueKind == JsonValueKind.Object && Event.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A whole-number field of the event (camelCase name), or null.</summary>
    public long? NumberField(string name) =>
        Event.ValueKind == JsonValueKind.Object && Event.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;

    /// <summary>One line for a failed test's output.</summary>
    public override string ToString() =>
        $"#{Offset} {PersistenceId}/{SequenceNr} {Type} {Event.GetRawText()}";

    /// <summary>The manifest the journal stores for <typeparamref name="T"/>.</summary>
    public static string ManifestOf<T>() =>
        typeof(T).GetCustomAttribute<EventManifestAttribute>()?.Manifest
        ?? throw new ArgumentException($"{typeof(T).Name} has no [EventManifest].");

    internal static AuditEntry Parse(JsonElement record) => new(
        record.GetProperty("offset").GetInt64(),
        record.GetProperty("persistenceId").GetString()!,
        record.GetProperty("sequenceNr").GetInt64(),
        record.GetProperty("type").GetString()!,
        record.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToArray(),
        record.GetProperty("timestamp").GetDateTimeOffset(),
        record.GetProperty("event").Clone());
}
