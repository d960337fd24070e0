using System.Text.Json.Nodes;

namespace Autopilot.Agents.Serialization;

/// <summary>
/// Turns the stored JSON of <see cref="Manifest"/> at schema version <see cref="FromVersion"/> into the JSON of the
/// next version. Replay of an old event runs each upcaster in turn (v1→v2→…→current) and then deserializes the current
/// type; the stored bytes are never rewritten.
/// </summary>
/// <remarks>
/// Implementations need a public parameterless constructor and live in one of the assemblies the serializer scans
/// (see <see cref="AgentsPersistence"/>); <see cref="EventCatalog.Scan"/> picks them up with the event types. Example,
/// a field rename from v1 to v2:
/// <code>
/// public sealed class ActionRequestedV1 : IEventUpcaster
/// {
///     public string Manifest =&gt; "autopilot.action_requested";
///     public int FromVersion =&gt; 1;
///     public JsonNode Upcast(JsonNode json)
///     {
///         var o = json.AsObject();
///         o["target"] = o["service"]?.DeepClone();
///         o.Remove("service");
///         return o;
///     }
/// }
/// </code>
/// </remarks>
public interface IEventUpcaster
{
    /// <summary>The stable name of the type it upgrades.</summary>
    string Manifest { get; }

    /// <summary>The schema version it reads; it writes <c>FromVersion + 1</c>.</summary>
    int FromVersion { get; }

    /// <summary>Transforms the JSON (it may change <paramref name="json"/> in place and return it).</summary>
    JsonNode Upcast(JsonNode json);
}
