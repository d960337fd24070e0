namespace Autopilot.Agents.Serialization;

/// <summary>
/// An event or snapshot could not be turned into JSON (its type carries no <see cref="EventManifestAttribute"/> or is
/// not in a scanned assembly, or System.Text.Json refused it). Nothing was stored: Akka journals report a
/// serialization failure of a write as a rejection, so the persistent actor's <c>OnPersistRejected</c> runs.
/// </summary>
/// <param name="payloadType">The CLR type that could not be serialized.</param>
/// <param name="reason">Why.</param>
/// <param name="inner">The underlying cause, if any.</param>
public sealed class EventSerializationException(Type payloadType, string reason, Exception? inner = null)
    : System.Runtime.Serialization.SerializationException($"Cannot serialize {payloadType.FullName}: {reason}", inner)
{
    /// <summary>The CLR type that could not be serialized.</summary>
    public Type PayloadType { get; } = payloadType;
}

/// <summary>
/// A stored event or snapshot cannot be turned back into an object. Recovery of the stream stops here: the stored
/// data is intact, the running code does not know how to read it (or the bytes are not valid JSON).
/// </summary>
/// <param name="manifest">The stored manifest name.</param>
/// <param name="version">The stored schema version.</param>
/// <param name="reason">Why.</param>
/// <param name="inner">The underlying cause, if any.</param>
public class UnreadableEventException(string manifest, int version, string reason, Exception? inner = null)
    : System.Runtime.Serialization.SerializationException($"Cannot read stored '{manifest}' v{version}: {reason}", inner)
{
    /// <summary>The stored manifest name.</summary>
    public string Manifest { get; } = manifest;

    /// <summary>The stored schema version.</summary>
    public int Version { get; } = version;
}

/// <summary>
/// No type is registered under the stored manifest: the event was written by code that registered it (perhaps
/// under another name) and this process does not. Add the type's assembly to the serializer's list, or keep the name.
/// </summary>
/// <param name="manifest">The stored manifest name.</param>
/// <param name="version">The stored schema version.</param>
public sealed class UnknownEventManifestException(string manifest, int version)
    : UnreadableEventException(manifest, version, $"no type is registered under manifest '{manifest}'");

/// <summary>
/// The stored schema version cannot be brought to the registered one: it is newer than the running code knows,
/// or an upcaster of the chain is missing.
/// </summary>
/// <param name="manifest">The stored manifest name.</param>
/// <param name="version">The stored schema version.</param>
/// <param name="currentVersion">The schema version the running code registers for the manifest.</param>
/// <param name="reason">Why.</param>
public sealed class UnsupportedEventVersionException(string manifest, int version, int currentVersion, string reason)
    : UnreadableEventException(manifest, version, reason)
{
    /// <summary>The schema version the running code registers for the manifest.</summary>
    public int CurrentVersion { get; } = currentVersion;
}
