using Autopilot.Actors.Persistence.Serialization;

namespace Autopilot.Actors.Persistence.Journal;

/// <summary>
/// The contents of an <see cref="InMemoryEventJournal"/>, kept apart from the journal so a test can stop a journal
/// and open a new one over the same events, as a restarted process would over a database.
/// </summary>
/// <remarks>Events are kept serialized, so the in-memory journal exercises serialization like the SQL ones.</remarks>
public sealed class InMemoryJournalStorage
{
    internal object Gate { get; } = new();

    /// <summary>Every stored event in offset order.</summary>
    internal List<StoredEvent> Events { get; } = [];

    internal Dictionary<string, StreamState> Streams { get; } = new(StringComparer.Ordinal);

    internal long LastOffset { get; set; }

    /// <summary>The journal-wide fence, null until first raised.</summary>
    internal long? Fence { get; set; }

    internal sealed record StoredEvent(long Offset, string PersistenceId, long SequenceNr, SerializedPayload Payload, IReadOnlyList<string> Tags, DateTimeOffset Timestamp);

    internal sealed class StreamState
    {
        /// <summary>Events not deleted, in sequence order.</summary>
        public List<StoredEvent> Events { get; } = [];

        /// <summary>Highest sequence number ever stored, kept when events are deleted.</summary>
        public long HighestSequenceNr { get; set; }

        public long? NewestFencingToken { get; set; }
    }
}
