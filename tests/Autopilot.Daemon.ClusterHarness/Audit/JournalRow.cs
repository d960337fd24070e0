namespace Autopilot.Daemon.ClusterHarness.Audit;

/// <summary>One row of the journal table as stored, read without deserializing the payload.</summary>
/// <param name="Ordering">Global offset.</param>
/// <param name="PersistenceId">Stream.</param>
/// <param name="SequenceNr">Position in the stream.</param>
/// <param name="Manifest">Event type.</param>
/// <param name="Tags">Tags.</param>
public sealed record JournalRow(long Ordering, string PersistenceId, long SequenceNr, string Manifest, IReadOnlyList<string> Tags);
