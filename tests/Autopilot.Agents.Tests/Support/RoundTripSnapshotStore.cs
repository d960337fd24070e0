using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Snapshot;
using Autopilot.Agents.Serialization;

namespace Autopilot.Agents.Tests.Support;

/// <summary>
/// Akka's in-memory snapshot store, except that a snapshot is stored as read back from the bytes the agents'
/// serializer made of it (Akka's memory store keeps the object itself), so a recovery from a snapshot proves that the
/// serializer bound in HOCON round-trips the orchestrator's world model.
/// </summary>
public sealed class RoundTripSnapshotStore : MemorySnapshotStore
{
    /// <inheritdoc />
    protected override Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default) =>
        base.SaveAsync(metadata, RoundTrip(Context.System, snapshot), cancellationToken);

    /// <summary>
    /// Serializes <paramref name="payload"/> with the serializer <paramref name="system"/> binds to its type and reads
    /// it back; fails when that is not the agents' <see cref="EventSerializer"/>.
    /// </summary>
    public static object RoundTrip(ActorSystem system, object payload)
    {
        var serializer = system.Serialization.FindSerializerFor(payload);
        if (serializer is not EventSerializer)
        {
            throw new InvalidOperationException($"{payload.GetType().FullName} is bound to {serializer.GetType().Name}, not to the agents' serializer.");
        }

        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, payload);
        return system.Serialization.Deserialize(serializer.ToBinary(payload), serializer.Identifier, manifest);
    }
}
