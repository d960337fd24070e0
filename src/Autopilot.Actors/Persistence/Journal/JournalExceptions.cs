namespace Autopilot.Actors.Persistence.Journal;

/// <summary>
/// The journal refused a write that can never succeed as it is; nothing of it was stored.
/// A persistent actor answers with <c>OnPersistRejected</c> and carries on.
/// </summary>
public class JournalRejectedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Another writer already stored this sequence number of the stream (two writers for one persistence id).</summary>
public sealed class SequenceConflictException(string persistenceId, long sequenceNr)
    : JournalRejectedException($"Sequence number {sequenceNr} of '{persistenceId}' is already stored: another writer is active for this persistence id.")
{
    /// <summary>The stream that conflicted.</summary>
    public string PersistenceId { get; } = persistenceId;

    /// <summary>The sequence number that was already taken.</summary>
    public long SequenceNr { get; } = sequenceNr;
}

/// <summary>
/// The write carried a fencing token older than one the journal has already seen for the stream, or older than the
/// journal-wide fence (<see cref="IEventJournal.RaiseFenceAsync"/>).
/// </summary>
public sealed class StaleFencingTokenException(string persistenceId, long token, long newest)
    : JournalRejectedException($"Write to '{persistenceId}' carries fencing token {token}, but token {newest} is newer: this writer lost its lease.")
{
    /// <summary>The stream written to.</summary>
    public string PersistenceId { get; } = persistenceId;

    /// <summary>The token the rejected write carried.</summary>
    public long Token { get; } = token;

    /// <summary>The newest token the journal has seen for the stream, or the journal-wide fence if that is newer.</summary>
    public long Newest { get; } = newest;
}

/// <summary>The journal cannot reach its store (connection refused, lost, timed out). The outcome of a write is unknown.</summary>
public sealed class JournalUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
