namespace Autopilot.Actors.Persistence.Serialization;

/// <summary>
/// Gives an event or snapshot type the stable name it is stored under, so the CLR type can be renamed or moved
/// without breaking replay of what is already in the journal.
/// </summary>
/// <remarks>
/// Bump <see cref="Version"/> whenever the JSON shape changes incompatibly, and register an upcaster from the
/// previous version (<see cref="EventSerializer.RegisterUpcaster"/>) so old events still replay as this type.
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class EventManifestAttribute(string manifest) : Attribute
{
    /// <summary>The stable name, e.g. <c>orchestrator.action-requested</c>.</summary>
    public string Manifest { get; } = manifest;

    /// <summary>The current schema version of the type's JSON shape (1 for the first).</summary>
    public int Version { get; init; } = 1;
}
