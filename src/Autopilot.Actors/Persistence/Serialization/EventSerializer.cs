using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Autopilot.Actors.Persistence.Serialization;

/// <summary>
/// Turns events and snapshots into (manifest, schema version, UTF-8 JSON) and back, with System.Text.Json.
/// </summary>
/// <remarks>
/// <para>
/// Only registered types are stored: the stable manifest decouples stored data from CLR type names, so a type can
/// be renamed or moved freely. Register with <see cref="EventManifestAttribute"/> and <see cref="Register{T}()"/>,
/// or explicitly with <see cref="Register{T}(string, int)"/>.
/// </para>
/// <para>
/// Schema evolution (upcasting): when a type's JSON shape changes, raise its version and register an upcaster
/// from each older version to the next, e.g. a field rename from v1 to v2:
/// <code>
/// serializer.Register&lt;ActionRequested&gt;()   // [EventManifest("orchestrator.action-requested", Version = 2)]
///     .RegisterUpcaster("orchestrator.action-requested", fromVersion: 1, json =>
///     {
///         var o = json.AsObject();
///         o["target"] = o["service"]?.DeepClone();   // v1 "service" became v2 "target"
///         o.Remove("service");
///         return o;
///     });
/// </code>
/// Replay of a v1 event runs each upcaster in turn (v1→v2→…→current) on the JSON and then deserializes the
/// current type. The stored bytes are never rewritten.
/// </para>
/// <para>Registration is meant for start-up; the instance is safe to use from many threads.</para>
/// </remarks>
public sealed class EventSerializer
{
    private readonly JsonSerializerOptions _options;
    private readonly ConcurrentDictionary<string, Registration> _byManifest = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Type, Registration> _byType = new();
    private readonly ConcurrentDictionary<(string Manifest, int FromVersion), Func<JsonNode, JsonNode>> _upcasters = new();
    private readonly object _registrationGate = new();

    /// <summary>Creates a serializer with no registrations.</summary>
    /// <param name="options">JSON options; defaults to <see cref="JsonSerializerDefaults.Web"/> (camelCase, case-insensitive reads).</param>
    public EventSerializer(JsonSerializerOptions? options = null)
    {
        _options = options ?? new JsonSerializerOptions(JsonSerializerDefaults.Web);
    }

    /// <summary>Registers <typeparamref name="T"/> under the manifest and version of its <see cref="EventManifestAttribute"/>.</summary>
    public EventSerializer Register<T>() => Register(typeof(T));

    /// <summary>Registers <paramref name="type"/> under the manifest and version of its <see cref="EventManifestAttribute"/>.</summary>
    /// <exception cref="ArgumentException">The type has no <see cref="EventManifestAttribute"/>, or the name is taken.</exception>
    public EventSerializer Register(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var attribute = type.GetCustomAttribute<EventManifestAttribute>()
            ?? throw new ArgumentException($"{type.FullName} has no [EventManifest] attribute; add one or register it with an explicit manifest.", nameof(type));
        return Register(type, attribute.Manifest, attribute.Version);
    }

    /// <summary>Registers <typeparamref name="T"/> under an explicit manifest and schema version.</summary>
    public EventSerializer Register<T>(string manifest, int version = 1) => Register(typeof(T), manifest, version);

    /// <summary>Registers <paramref name="type"/> under an explicit manifest and schema version.</summary>
    /// <exception cref="ArgumentException">
    /// The manifest is blank, the version is below 1, or the manifest or type is already registered differently.
    /// </exception>
    public EventSerializer Register(Type type, string manifest, int version)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (string.IsNullOrWhiteSpace(manifest))
            throw new ArgumentException($"The manifest of {type.FullName} must not be blank.", nameof(manifest));
        if (version < 1)
            throw new ArgumentOutOfRangeException(nameof(version), version, $"The schema version of '{manifest}' must be 1 or more.");

        var registration = new Registration(type, manifest, version);
        lock (_registrationGate)
        {
            if (_byManifest.TryGetValue(manifest, out var existing) && existing != registration)
                throw new ArgumentException($"Manifest '{manifest}' is already registered for {existing.Type.FullName} v{existing.Version}.", nameof(manifest));
            if (_byType.TryGetValue(type, out var existingForType) && existingForType != registration)
                throw new ArgumentException($"{type.FullName} is already registered as '{existingForType.Manifest}' v{existingForType.Version}.", nameof(type));
            _byManifest[manifest] = registration;
            _byType[type] = registration;
        }

        return this;
    }

    /// <summary>
    /// Registers the transform that turns the JSON of <paramref name="manifest"/> at <paramref name="fromVersion"/>
    /// into the JSON of version <paramref name="fromVersion"/> + 1.
    /// </summary>
    /// <exception cref="ArgumentException">An upcaster for this manifest and version already exists.</exception>
    public EventSerializer RegisterUpcaster(string manifest, int fromVersion, Func<JsonNode, JsonNode> upcast)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(manifest);
        ArgumentNullException.ThrowIfNull(upcast);
        if (fromVersion < 1)
            throw new ArgumentOutOfRangeException(nameof(fromVersion), fromVersion, "Schema versions start at 1.");
        if (!_upcasters.TryAdd((manifest, fromVersion), upcast))
            throw new ArgumentException($"An upcaster for '{manifest}' from v{fromVersion} is already registered.", nameof(fromVersion));
        return this;
    }

    /// <summary>Whether <paramref name="type"/> can be serialized.</summary>
    public bool IsRegistered(Type type) => _byType.ContainsKey(type);

    /// <summary>Serializes a registered event or snapshot at its current schema version.</summary>
    /// <exception cref="EventSerializationException">The type is not registered or cannot be turned into JSON.</exception>
    public SerializedPayload Serialize(object payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var type = payload.GetType();
        if (!_byType.TryGetValue(type, out var registration))
            throw new EventSerializationException(type, "the type is not registered with the EventSerializer (add [EventManifest] and register it at start-up)");
        try
        {
            return new SerializedPayload(registration.Manifest, registration.Version, JsonSerializer.SerializeToUtf8Bytes(payload, type, _options));
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new EventSerializationException(type, e.Message, e);
        }
    }

    /// <summary>
    /// Reads a stored item back as its registered type, upcasting older schema versions first.
    /// </summary>
    /// <param name="payload">The stored form.</param>
    /// <param name="persistenceId">The stream, for error messages.</param>
    /// <param name="sequenceNr">The position in the stream, for error messages.</param>
    /// <exception cref="UnknownEventManifestException">No type is registered under the manifest.</exception>
    /// <exception cref="UnsupportedEventVersionException">The version is newer than registered, or an upcaster is missing.</exception>
    /// <exception cref="UnreadableEventException">The JSON is invalid or an upcaster failed.</exception>
    public object Deserialize(SerializedPayload payload, string? persistenceId = null, long? sequenceNr = null)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (!_byManifest.TryGetValue(payload.Manifest, out var registration))
            throw new UnknownEventManifestException(payload.Manifest, payload.Version, persistenceId, sequenceNr);
        if (payload.Version > registration.Version)
            throw new UnsupportedEventVersionException(payload.Manifest, payload.Version, registration.Version, persistenceId, sequenceNr,
                $"it was written as v{payload.Version} but this process only knows up to v{registration.Version} (written by a newer release?)");

        object? result;
        try
        {
            result = payload.Version == registration.Version
                ? JsonSerializer.Deserialize(payload.Json, registration.Type, _options)
                : Upcast(payload, registration, persistenceId, sequenceNr).Deserialize(registration.Type, _options);
        }
        catch (UnreadableEventException)
        {
            throw;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new UnreadableEventException(payload.Manifest, payload.Version, persistenceId, sequenceNr, $"invalid JSON for {registration.Type.Name}: {e.Message}", e);
        }

        return result ?? throw new UnreadableEventException(payload.Manifest, payload.Version, persistenceId, sequenceNr, "the stored JSON is null");
    }

    private JsonNode Upcast(SerializedPayload payload, Registration registration, string? persistenceId, long? sequenceNr)
    {
        var node = JsonNode.Parse(payload.Json)
            ?? throw new UnreadableEventException(payload.Manifest, payload.Version, persistenceId, sequenceNr, "the stored JSON is null");
        for (var version = payload.Version; version < registration.Version; version++)
        {
            if (!_upcasters.TryGetValue((payload.Manifest, version), out var upcast))
                throw new UnsupportedEventVersionException(payload.Manifest, payload.Version, registration.Version, persistenceId, sequenceNr,
                    $"no upcaster is registered from v{version} to v{version + 1}");
            try
            {
                node = upcast(node);
            }
            catch (Exception e)
            {
                throw new UnreadableEventException(payload.Manifest, payload.Version, persistenceId, sequenceNr, $"the upcaster from v{version} failed: {e.Message}", e);
            }
        }

        return node;
    }

    private sealed record Registration(Type Type, string Manifest, int Version);
}
