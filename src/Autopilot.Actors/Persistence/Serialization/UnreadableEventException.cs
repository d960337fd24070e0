namespace Autopilot.Actors.Persistence.Serialization;

/// <summary>
/// A stored event or snapshot cannot be turned back into an object. Recovery of the stream stops here: the stored
/// data is intact, the running code does not know how to read it (or the bytes are not valid JSON).
/// </summary>
public class UnreadableEventException(string manifest, int version, string? persistenceId, long? sequenceNr, string reason, Exception? inner = null)
    : Exception($"Cannot read stored '{manifest}' v{version}{Where(persistenceId, sequenceNr)}: {reason}", inner)
{
    /// <summary>The stored manifest name.</summary>
    public string Manifest { get; } = manifest;

    /// <summary>The stored schema version.</summary>
    public int Version { get; } = version;

    /// <summary>The stream the item belongs to, when known.</summary>
    public string? PersistenceId { get; } = persistenceId;

    /// <summary>The item's sequence number, when known.</summary>
    public long? SequenceNr { get; } = sequenceNr;

    private static string Where(string? persistenceId, long? sequenceNr) =>
        persistenceId is null ? "" : $" (persistence id '{persistenceId}'{(sequenceNr is { } nr ? $", sequence nr {nr}" : "")})";
}

/// <summary>
/// No type is registered under the stored manifest: the event was written by code that registered it (perhaps
/// under another name) and this process does not. Register the type, or an alias via an upcaster chain.
/// </summary>
public sealed class UnknownEventManifestException(string manifest, int version, string? persistenceId, long? sequenceNr)
    : UnreadableEventException(manifest, version, persistenceId, sequenceNr, $"no type is registered under manifest '{manifest}'");

/// <summary>
/// The stored schema version cannot be brought to the registered one: it is newer than the running code knows,
/// or an upcaster of the chain is missing.
/// </summary>
public sealed class UnsupportedEventVersionException(string manifest, int version, int currentVersion, string? persistenceId, long? sequenceNr, string reason)
    : UnreadableEventException(manifest, version, persistenceId, sequenceNr, reason)
{
    /// <summary>The schema version the running code registers for the manifest.</summary>
    public int CurrentVersion { get; } = currentVersion;
}
