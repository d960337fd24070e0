using System.Reflection;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;

namespace Autopilot.Agents.Serialization;

/// <summary>
/// The Akka serializer of everything the autopilot persists (events and snapshots): System.Text.Json with the Web
/// defaults, a stable string manifest <c>name#version</c> from <see cref="EventManifestAttribute"/>, and upcasting of
/// older schema versions through <see cref="IEventUpcaster"/>s (see <see cref="EventCatalog"/>).
/// </summary>
/// <remarks>
/// <para>
/// Wiring: <see cref="AgentsPersistence.Hocon(string, Assembly[])"/> registers it as <c>akka.actor.serializers.autopilot-events</c>,
/// binds each persisted type to it in <c>akka.actor.serialization-bindings</c> (one binding per type carrying
/// <see cref="EventManifestAttribute"/>, so no marker interface is needed) and lists the scanned assemblies.
/// </para>
/// <para>
/// Extending (the daemon persists its own events through it): the serializer scans the assemblies named in
/// <c>akka.actor.serialization-settings.autopilot-events.assemblies</c> (simple assembly names; <c>Autopilot.Agents</c>
/// is always included) for types carrying <see cref="EventManifestAttribute"/> and for <see cref="IEventUpcaster"/>s.
/// Pass the extra assemblies to <see cref="AgentsPersistence.Hocon(string, Assembly[])"/> and both the bindings and
/// that list are generated.
/// </para>
/// <para>
/// Identifier <see cref="SerializerId"/> (4711) is stored beside every event and snapshot: it must never change, and
/// no other serializer of the system may use it (Akka reserves 0–100 for its own).
/// </para>
/// </remarks>
public sealed class EventSerializer : SerializerWithStringManifest
{
    /// <summary>The stable serializer id stored with every item. Never change it.</summary>
    public const int SerializerId = 4711;

    /// <summary>The name the serializer is registered under in <c>akka.actor.serializers</c>.</summary>
    public const string Name = "autopilot-events";

    /// <summary>Created by Akka when no <c>serialization-settings.autopilot-events</c> section exists: scans <c>Autopilot.Agents</c> only.</summary>
    public EventSerializer(ExtendedActorSystem system)
        : this(system, Config.Empty)
    {
    }

    /// <summary>Created by Akka with <c>akka.actor.serialization-settings.autopilot-events</c>.</summary>
    /// <exception cref="Autopilot.Agents.Configuration.SettingException">An assembly listed cannot be loaded.</exception>
    public EventSerializer(ExtendedActorSystem system, Config settings)
        : base(system)
    {
        var assemblies = new List<Assembly> { typeof(EventSerializer).Assembly };
        var names = settings is null || settings.IsEmpty
            ? []
            : new Configuration.ConfigSection(settings, "").GetStringList("assemblies", []);
        foreach (var name in names)
        {
            try
            {
                assemblies.Add(Assembly.Load(name));
            }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
            {
                throw new Configuration.SettingException($"akka.actor.serialization-settings.{Name}.assemblies", $"cannot load assembly \"{name}\": {e.Message}", e);
            }
        }

        Catalog = EventCatalog.Scan(assemblies);
    }

    /// <summary>The registered types and upcasters.</summary>
    public EventCatalog Catalog { get; }

    /// <inheritdoc />
    public override int Identifier => SerializerId;

    /// <inheritdoc />
    public override string Manifest(object o) => Catalog.ManifestOf(o);

    /// <inheritdoc />
    public override byte[] ToBinary(object obj) => Catalog.ToJson(obj);

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest) => Catalog.FromJson(bytes, manifest);
}
