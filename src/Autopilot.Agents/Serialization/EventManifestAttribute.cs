namespace Autopilot.Agents.Serialization;

/// <summary>
/// Gives an event or snapshot type the stable name it is stored under, so the CLR type can be renamed or moved
/// without breaking replay of what is already in the journal. <see cref="EventSerializer"/> stores exactly the types
/// carrying it (found in the assemblies its configuration lists, see <see cref="AgentsPersistence"/>).
/// </summary>
/// <remarks>
/// Bump <see cref="Version"/> whenever the JSON shape changes incompatibly, and add an <see cref="IEventUpcaster"/>
/// from the previous version so old events still replay as this type.
/// </remarks>
/// <param name="manifest">The stable name, e.g. <c>autopilot.action_requested</c>.</param>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class EventManifestAttribute(string manifest) : Attribute
{
    /// <summary>The stable name, e.g. <c>autopilot.action_requested</c>.</summary>
    public string Manifest { get; } = manifest;

    /// <summary>The current schema version of the type's JSON shape (1 for the first).</summary>
    public int Version { get; init; } = 1;
}
