using Autopilot.Actors.Persistence.Serialization;

namespace Autopilot.Actors.Persistence.Snapshots;

/// <summary>
/// The contents of an <see cref="InMemorySnapshotStore"/>, kept apart from the store so a test can open a new
/// store over the same snapshots, as a restarted process would over a database.
/// </summary>
public sealed class InMemorySnapshotStorage
{
    internal object Gate { get; } = new();

    /// <summary>Per persistence id, snapshots by sequence number.</summary>
    internal Dictionary<string, SortedList<long, StoredSnapshot>> Streams { get; } = new(StringComparer.Ordinal);

    internal sealed record StoredSnapshot(SnapshotMetadata Metadata, SerializedPayload Payload);
}
