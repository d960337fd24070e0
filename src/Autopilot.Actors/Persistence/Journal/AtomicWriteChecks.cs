namespace Autopilot.Actors.Persistence.Journal;

/// <summary>
/// The rules every journal back end applies to an <see cref="AtomicWrite"/>, in one place so in-memory, SQLite
/// and PostgreSQL reject the same writes with the same typed errors.
/// </summary>
public static class AtomicWriteChecks
{
    /// <summary>
    /// Rejects a write that is malformed in itself: no events, events of another stream, sequence numbers that are
    /// not consecutive from 1 or more, blank tags.
    /// </summary>
    /// <exception cref="JournalRejectedException">The write can never be stored as it is.</exception>
    public static void EnsureWellFormed(this AtomicWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (string.IsNullOrEmpty(write.PersistenceId))
            throw new JournalRejectedException("An atomic write needs a persistence id.");
        if (write.Events is not { Count: > 0 })
            throw new JournalRejectedException($"An atomic write to '{write.PersistenceId}' needs at least one event.");
        for (var i = 0; i < write.Events.Count; i++)
        {
            var e = write.Events[i];
            if (e.PersistenceId != write.PersistenceId)
                throw new JournalRejectedException($"An atomic write to '{write.PersistenceId}' contains an event of '{e.PersistenceId}'.");
            var expected = write.Events[0].SequenceNr + i;
            if (e.SequenceNr < 1 || e.SequenceNr != expected)
                throw new JournalRejectedException($"Sequence numbers of a write to '{write.PersistenceId}' must be consecutive from 1 or more; found {e.SequenceNr} where {Math.Max(1, expected)} was expected.");
            if (e.Tags is null || e.Tags.Any(string.IsNullOrWhiteSpace))
                throw new JournalRejectedException($"Event {e.SequenceNr} of '{write.PersistenceId}' has a blank tag.");
        }
    }

    /// <summary>
    /// Decides, given what the journal has stored for the stream, whether the write must be rejected: a fencing
    /// token older than the newest seen for the stream or than the journal-wide fence, a sequence number already
    /// taken, or one that would leave a gap.
    /// </summary>
    /// <param name="write">A well-formed write.</param>
    /// <param name="highestSequenceNr">Highest sequence number ever stored for the stream (0 if none).</param>
    /// <param name="newestFencingToken">Newest fencing token seen for the stream, if any.</param>
    /// <param name="journalFence">The journal-wide fence (<see cref="IEventJournal.RaiseFenceAsync"/>), if ever raised.</param>
    /// <returns>The exception to fail the write with, or null to store it.</returns>
    public static JournalRejectedException? RejectionFor(AtomicWrite write, long highestSequenceNr, long? newestFencingToken, long? journalFence)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (write.FencingToken is { } token && Newer(newestFencingToken, journalFence) is { } newest && token < newest)
            return new StaleFencingTokenException(write.PersistenceId, token, newest);
        if (write.LowestSequenceNr <= highestSequenceNr)
            return new SequenceConflictException(write.PersistenceId, write.LowestSequenceNr);
        if (write.LowestSequenceNr > highestSequenceNr + 1)
            return new JournalRejectedException($"Write to '{write.PersistenceId}' starts at sequence number {write.LowestSequenceNr} but the stream ends at {highestSequenceNr}: it would leave a gap.");
        return null;
    }

    /// <summary>The fencing token to remember after storing <paramref name="write"/>: the newer of the two.</summary>
    public static long? NewestFencingToken(AtomicWrite write, long? newestFencingToken) => Newer(write.FencingToken, newestFencingToken);

    /// <summary>The newer of two optional tokens; a missing token is older than any.</summary>
    public static long? Newer(long? a, long? b) =>
        (a, b) switch
        {
            ({ } x, { } y) => Math.Max(x, y),
            ({ } x, null) => x,
            (null, var y) => y,
        };
}
