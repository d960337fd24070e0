namespace Autopilot.Actors.Persistence.Snapshots;

/// <summary>
/// Stores snapshots of a persistent actor's state so recovery replays only the events after the newest one.
/// </summary>
public interface ISnapshotStore : IAsyncDisposable
{
    /// <summary>Creates the schema if missing (idempotent), retrying an unreachable database like the journal.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Stores (or replaces) the snapshot at <see cref="SnapshotMetadata.SequenceNr"/>.</summary>
    Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default);

    /// <summary>The newest snapshot matching <paramref name="criteria"/>, or null.</summary>
    Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default);

    /// <summary>Deletes every snapshot of the stream matching <paramref name="criteria"/>.</summary>
    Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default);
}

/// <summary>Identifies a snapshot: which stream, taken after which event, when.</summary>
public sealed record SnapshotMetadata(string PersistenceId, long SequenceNr, DateTimeOffset Timestamp);

/// <summary>A loaded snapshot and its metadata.</summary>
public sealed record SelectedSnapshot(SnapshotMetadata Metadata, object Snapshot);

/// <summary>Which snapshots a load or delete concerns: at most this sequence number and timestamp.</summary>
public sealed record SnapshotSelectionCriteria(long MaxSequenceNr, DateTimeOffset MaxTimestamp)
{
    /// <summary>The newest snapshot, whatever it is.</summary>
    public static SnapshotSelectionCriteria Latest { get; } = new(long.MaxValue, DateTimeOffset.MaxValue);

    /// <summary>Matches nothing: recovery without a snapshot.</summary>
    public static SnapshotSelectionCriteria None { get; } = new(0, DateTimeOffset.MinValue);

    /// <summary>Whether <paramref name="metadata"/> falls within these criteria.</summary>
    public bool Matches(SnapshotMetadata metadata) => metadata.SequenceNr <= MaxSequenceNr && metadata.Timestamp <= MaxTimestamp;
}
