using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Autopilot.Agents.Serialization;

/// <summary>
/// The persisted types (by stable manifest and schema version) and their upcasters, and the JSON conversion both
/// ways (System.Text.Json, <see cref="JsonSerializerDefaults.Web"/>: camelCase, case-insensitive reads). This is the
/// Akka-independent core of <see cref="EventSerializer"/>; tests may use it directly.
/// </summary>
/// <remarks>
/// Only registered types are stored: the stable manifest decouples stored data from CLR type names, so a type can be
/// renamed or moved freely. The Akka manifest of an item is <c>name#version</c> (see <see cref="ManifestOf"/>); a
/// manifest without <c>#</c> reads as version 1. Registration happens while building the catalog (start-up); the
/// built catalog is only read, so it is safe to use from many threads.
/// </remarks>
public sealed class EventCatalog
{
    private readonly JsonSerializerOptions _options;
    private readonly Dictionary<string, Registration> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, Registration> _byType = [];
    private readonly Dictionary<(string Name, int FromVersion), Func<JsonNode, JsonNode>> _upcasters = [];

    /// <summary>Creates an empty catalog.</summary>
    /// <param name="options">JSON options; defaults to <see cref="JsonSerializerDefaults.Web"/>.</param>
    public EventCatalog(JsonSerializerOptions? options = null)
    {
        _options = options ?? new JsonSerializerOptions(JsonSerializerDefaults.Web);
    }

    /// <summary>Every registered type.</summary>
    public IReadOnlyCollection<Type> Types => _byType.Keys;

    /// <summary>
    /// A catalog of every type carrying <see cref="EventManifestAttribute"/> and every <see cref="IEventUpcaster"/>
    /// (with a public parameterless constructor) in <paramref name="assemblies"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Two types claim the same manifest, or two upcasters the same step.</exception>
    public static EventCatalog Scan(IEnumerable<Assembly> assemblies, JsonSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(assemblies);
        var catalog = new EventCatalog(options);
        foreach (var assembly in assemblies.Distinct())
        {
            foreach (var type in assembly.GetTypes())
            {
                if (type.GetCustomAttribute<EventManifestAttribute>() is not null && !catalog.IsRegistered(type))
                {
                    catalog.Register(type);
                }

                if (typeof(IEventUpcaster).IsAssignableFrom(type) && type is { IsAbstract: false, IsInterface: false } && type.GetConstructor(Type.EmptyTypes) is not null)
                {
                    var upcaster = (IEventUpcaster)Activator.CreateInstance(type)!;
                    catalog.RegisterUpcaster(upcaster.Manifest, upcaster.FromVersion, upcaster.Upcast);
                }
            }
        }

        return catalog;
    }

    /// <summary>The persisted types of <c>Autopilot.Agents</c> (audit events, the alert outbox, the orchestrator's snapshot).</summary>
    public static EventCatalog ForAgents() => Scan([typeof(EventCatalog).Assembly]);

    /// <summary>Registers <typeparamref name="T"/> under the manifest and version of its <see cref="EventManifestAttribute"/>.</summary>
    public EventCatalog Register<T>() => Register(typeof(T));

    /// <summary>Registers <paramref name="type"/> under the manifest and version of its <see cref="EventManifestAttribute"/>.</summary>
    /// <exception cref="ArgumentException">The type has no <see cref="EventManifestAttribute"/>, or the name is taken.</exception>
    public EventCatalog Register(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var attribute = type.GetCustomAttribute<EventManifestAttribute>()
            ?? throw new ArgumentException($"{type.FullName} has no [EventManifest] attribute; add one or register it with an explicit manifest.", nameof(type));
        return Register(type, attribute.Manifest, attribute.Version);
    }

    /// <summary>Registers <paramref name="type"/> under an explicit manifest and schema version.</summary>
    /// <exception cref="ArgumentException">The manifest is blank or holds '#', the version is below 1, or the manifest or type is already registered differently.</exception>
    public EventCatalog Register(Type type, string manifest, int version)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (string.IsNullOrWhiteSpace(manifest) || manifest.Contains('#', StringComparison.Ordinal))
            throw new ArgumentException($"The manifest of {type.FullName} must not be blank nor contain '#'.", nameof(manifest));
        if (version < 1)
            throw new ArgumentOutOfRangeException(nameof(version), version, $"The schema version of '{manifest}' must be 1 or more.");

        var registration = new Registration(type, manifest, version);
        if (_byName.TryGetValue(manifest, out var existing) && existing != registration)
            throw new ArgumentException($"Manifest '{manifest}' is already registered for {existing.Type.FullName} v{existing.Version}.", nameof(manifest));
        if (_byType.TryGetValue(type, out var existingForType) && existingForType != registration)
            throw new ArgumentException($"{type.FullName} is already registered as '{existingForType.Manifest}' v{existingForType.Version}.", nameof(type));
        _byName[manifest] = registration;
        _byType[type] = registration;
        return this;
    }

    /// <summary>Registers the transform from the JSON of <paramref name="manifest"/> at <paramref name="fromVersion"/> to the next version.</summary>
    /// <exception cref="ArgumentException">An upcaster for this manifest and version already exists.</exception>
    public EventCatalog RegisterUpcaster(string manifest, int fromVersion, Func<JsonNode, JsonNode> upcast)
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

    /// <summary>The Akka string manifest of <paramref name="payload"/>: <c>name#version</c>.</summary>
    /// <exception cref="EventSerializationException">The type is not registered.</exception>
    public string ManifestOf(object payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var registration = Find(payload.GetType());
        return $"{registration.Manifest}#{registration.Version.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>Serializes a registered event or snapshot at its current schema version (UTF-8 JSON).</summary>
    /// <exception cref="EventSerializationException">The type is not registered or cannot be turned into JSON.</exception>
    public byte[] ToJson(object payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var type = payload.GetType();
        _ = Find(type);
        try
        {
            return JsonSerializer.SerializeToUtf8Bytes(payload, type, _options);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new EventSerializationException(type, e.Message, e);
        }
    }

    /// <summary>Reads a stored item back as its registered type, upcasting older schema versions first.</summary>
    /// <param name="json">The stored UTF-8 JSON.</param>
    /// <param name="manifest">The stored Akka manifest (<c>name#version</c>).</param>
    /// <exception cref="UnknownEventManifestException">No type is registered under the manifest.</exception>
    /// <exception cref="UnsupportedEventVersionException">The version is newer than registered, or an upcaster is missing.</exception>
    /// <exception cref="UnreadableEventException">The JSON is invalid or an upcaster failed.</exception>
    public object FromJson(byte[] json, string manifest)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(manifest);
        var (name, version) = Split(manifest);
        if (!_byName.TryGetValue(name, out var registration))
            throw new UnknownEventManifestException(name, version);
        if (version > registration.Version)
            throw new UnsupportedEventVersionException(name, version, registration.Version,
                $"it was written as v{version} but this process only knows up to v{registration.Version} (written by a newer release?)");

        object? result;
        try
        {
            result = version == registration.Version
                ? JsonSerializer.Deserialize(json, registration.Type, _options)
                : Upcast(json, name, version, registration).Deserialize(registration.Type, _options);
        }
        catch (UnreadableEventException)
        {
            throw;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new UnreadableEventException(name, version, $"invalid JSON for {registration.Type.Name}: {e.Message}", e);
        }

        return result ?? throw new UnreadableEventException(name, version, "the stored JSON is null");
    }

    private Registration Find(Type type) =>
        _byType.TryGetValue(type, out var registration)
            ? registration
            : throw new EventSerializationException(type, "the type carries no [EventManifest] or its assembly is not listed for the autopilot event serializer");

    private static (string Name, int Version) Split(string manifest)
    {
        var hash = manifest.LastIndexOf('#');
        if (hash < 0)
        {
            return (manifest, 1);
        }

        var name = manifest[..hash];
        return int.TryParse(manifest.AsSpan(hash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version >= 1
            ? (name, version)
            : throw new UnreadableEventException(manifest, 0, "the manifest's version is not a positive number");
    }

    private JsonNode Upcast(byte[] json, string name, int storedVersion, Registration registration)
    {
        var node = JsonNode.Parse(json) ?? throw new UnreadableEventException(name, storedVersion, "the stored JSON is null");
        for (var version = storedVersion; version < registration.Version; version++)
        {
            if (!_upcasters.TryGetValue((name, version), out var upcast))
                throw new UnsupportedEventVersionException(name, storedVersion, registration.Version, $"no upcaster is registered from v{version} to v{version + 1}");
            try
            {
                node = upcast(node);
            }
            catch (Exception e)
            {
                throw new UnreadableEventException(name, storedVersion, $"the upcaster from v{version} failed: {e.Message}", e);
            }
        }

        return node;
    }

    private sealed record Registration(Type Type, string Manifest, int Version);
}
