using Autopilot.Actors.Persistence.Snapshots;

namespace Autopilot.Actors.Persistence;

/// <summary>Delivered to the recovery handlers once every stored event was replayed.</summary>
public sealed class RecoveryCompleted
{
    /// <summary>The only instance.</summary>
    public static RecoveryCompleted Instance { get; } = new();

    private RecoveryCompleted()
    {
    }
}

/// <summary>Delivered to the recovery handlers first when recovery starts from a snapshot.</summary>
public sealed record SnapshotOffer(SnapshotMetadata Metadata, object Snapshot);

/// <summary>A <c>SaveSnapshot</c> succeeded (delivered as a command).</summary>
public sealed record SaveSnapshotSuccess(SnapshotMetadata Metadata);

/// <summary>A <c>SaveSnapshot</c> failed (delivered as a command); the actor carries on.</summary>
public sealed record SaveSnapshotFailure(SnapshotMetadata Metadata, Exception Cause);

/// <summary>A <c>DeleteSnapshots</c> succeeded.</summary>
public sealed record DeleteSnapshotsSuccess(SnapshotSelectionCriteria Criteria);

/// <summary>A <c>DeleteSnapshots</c> failed.</summary>
public sealed record DeleteSnapshotsFailure(SnapshotSelectionCriteria Criteria, Exception Cause);

/// <summary>A <c>DeleteMessages</c> succeeded.</summary>
public sealed record DeleteMessagesSuccess(long ToSequenceNr);

/// <summary>A <c>DeleteMessages</c> failed.</summary>
public sealed record DeleteMessagesFailure(long ToSequenceNr, Exception Cause);

/// <summary>What a persistent actor replays on start.</summary>
/// <param name="FromSnapshot">Which snapshot to start from (<see cref="SnapshotSelectionCriteria.None"/> for none).</param>
/// <param name="ToSequenceNr">Replay up to this event.</param>
/// <param name="ReplayMax">Replay at most this many events.</param>
public sealed record Recovery(SnapshotSelectionCriteria FromSnapshot, long ToSequenceNr = long.MaxValue, long ReplayMax = long.MaxValue)
{
    /// <summary>The latest snapshot and every event after it.</summary>
    public static Recovery Default { get; } = new(SnapshotSelectionCriteria.Latest);

    /// <summary>No recovery at all: start empty (the sequence number still continues the stream).</summary>
    public static Recovery None { get; } = new(SnapshotSelectionCriteria.None, 0, 0);
}
