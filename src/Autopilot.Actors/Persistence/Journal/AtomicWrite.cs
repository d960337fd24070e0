namespace Autopilot.Actors.Persistence.Journal;

/// <summary>
/// Events of one persistence id that are stored all together or not at all (a <c>Persist</c> or a
/// <c>PersistAll</c> call). Sequence numbers are consecutive and continue the stream.
/// </summary>
/// <param name="PersistenceId">The stream written to.</param>
/// <param name="Events">At least one event, consecutive sequence numbers, all of <paramref name="PersistenceId"/>.</param>
/// <param name="FencingToken">
/// Optional token of the writer's lease (cluster singleton). The journal remembers the highest token it has
/// seen per persistence id and rejects writes that carry an older one, so a paused former leader cannot write.
/// </param>
public sealed record AtomicWrite(string PersistenceId, IReadOnlyList<PersistentEvent> Events, long? FencingToken = null)
{
    /// <summary>Sequence number of the first event.</summary>
    public long LowestSequenceNr => Events[0].SequenceNr;

    /// <summary>Sequence number of the last event.</summary>
    public long HighestSequenceNr => Events[^1].SequenceNr;
}
