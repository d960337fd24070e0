namespace Autopilot.Actors.Persistence.Journal;

/// <summary>
/// One event as a persistent actor hands it to the journal: the payload is still a CLR object; the journal
/// serializes it (through <see cref="Serialization.EventSerializer"/>) when it needs bytes.
/// </summary>
/// <param name="PersistenceId">The stream the event belongs to; one writer per stream at a time.</param>
/// <param name="SequenceNr">Position in that stream, starting at 1, gap-free.</param>
/// <param name="Payload">The domain event.</param>
/// <param name="Tags">Tags for the query side (e.g. <c>audit</c>, <c>incident</c>); may be empty.</param>
/// <param name="Timestamp">When the actor persisted it (from the system's clock).</param>
public sealed record PersistentEvent(
    string PersistenceId,
    long SequenceNr,
    object Payload,
    IReadOnlyList<string> Tags,
    DateTimeOffset Timestamp);
