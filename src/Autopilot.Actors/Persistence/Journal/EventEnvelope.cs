namespace Autopilot.Actors.Persistence.Journal;

/// <summary>
/// A stored event as the replay and query side return it.
/// </summary>
/// <param name="Offset">
/// Global, strictly increasing position across all persistence ids in one journal (the "ordering" column),
/// used by <c>EventsByTag</c> to resume. Gaps are allowed (rolled-back transactions); order is what counts.
/// </param>
/// <param name="PersistenceId">The stream.</param>
/// <param name="SequenceNr">Position in the stream.</param>
/// <param name="Event">The deserialized (and upcast) event.</param>
/// <param name="Tags">Tags it was written with.</param>
/// <param name="Timestamp">When it was persisted.</param>
public sealed record EventEnvelope(
    long Offset,
    string PersistenceId,
    long SequenceNr,
    object Event,
    IReadOnlyList<string> Tags,
    DateTimeOffset Timestamp);
