using System.Runtime.CompilerServices;
using Autopilot.Actors.Persistence.Serialization;

namespace Autopilot.Actors.Persistence.Journal;

/// <summary>
/// A journal held in memory, for tests and for nodes that need no durability. It honours the whole
/// <see cref="IEventJournal"/> contract (fencing, conflicts, gap-free sequence numbers, global offsets, tags) and
/// serializes every event, so what works here works against SQLite and PostgreSQL.
/// </summary>
public sealed class InMemoryEventJournal : IEventJournal
{
    private readonly EventSerializer _serializer;
    private readonly InMemoryJournalStorage _storage;
    private volatile bool _disposed;

    /// <summary>Creates a journal over <paramref name="storage"/> (a new, empty one when null).</summary>
    public InMemoryEventJournal(EventSerializer serializer, InMemoryJournalStorage? storage = null)
    {
        _serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        _storage = storage ?? new InMemoryJournalStorage();
    }

    /// <inheritdoc />
    public event Action? Written;

    /// <inheritdoc />
    public JournalHealth Health { get; private set; } = JournalHealth.Starting;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Health = JournalHealth.Healthy;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task WriteAsync(AtomicWrite write, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        write.EnsureWellFormed();
        var payloads = write.Events.Select(e => _serializer.Serialize(e.Payload)).ToArray();

        lock (_storage.Gate)
        {
            _storage.Streams.TryGetValue(write.PersistenceId, out var stream);
            var rejection = AtomicWriteChecks.RejectionFor(write, stream?.HighestSequenceNr ?? 0, stream?.NewestFencingToken, _storage.Fence);
            if (rejection is not null)
                return Task.FromException(rejection);

            stream ??= _storage.Streams[write.PersistenceId] = new InMemoryJournalStorage.StreamState();
            for (var i = 0; i < write.Events.Count; i++)
            {
                var e = write.Events[i];
                var stored = new InMemoryJournalStorage.StoredEvent(++_storage.LastOffset, e.PersistenceId, e.SequenceNr, payloads[i], e.Tags.Distinct().ToArray(), e.Timestamp);
                _storage.Events.Add(stored);
                stream.Events.Add(stored);
            }

            stream.HighestSequenceNr = write.HighestSequenceNr;
            stream.NewestFencingToken = AtomicWriteChecks.NewestFencingToken(write, stream.NewestFencingToken);
        }

        Written?.Invoke();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task RaiseFenceAsync(long token, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_storage.Gate)
            _storage.Fence = AtomicWriteChecks.Newer(_storage.Fence, token);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default)
    {
        lock (_storage.Gate)
            return Task.FromResult(_storage.Streams.TryGetValue(persistenceId, out var stream) ? stream.HighestSequenceNr : 0);
    }

    /// <inheritdoc />
    public IAsyncEnumerable<EventEnvelope> ReplayAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, long max = long.MaxValue, CancellationToken cancellationToken = default)
    {
        InMemoryJournalStorage.StoredEvent[] selected;
        lock (_storage.Gate)
        {
            selected = _storage.Streams.TryGetValue(persistenceId, out var stream)
                ? stream.Events.Where(e => e.SequenceNr >= fromSequenceNr && e.SequenceNr <= toSequenceNr).Take((int)Math.Min(max, int.MaxValue)).ToArray()
                : [];
        }

        return ToEnvelopes(selected, cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_storage.Gate)
        {
            if (_storage.Streams.TryGetValue(persistenceId, out var stream))
            {
                stream.Events.RemoveAll(e => e.SequenceNr <= toSequenceNr);
                _storage.Events.RemoveAll(e => e.PersistenceId == persistenceId && e.SequenceNr <= toSequenceNr);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public IAsyncEnumerable<EventEnvelope> CurrentEventsByTagAsync(string tag, long afterOffset, CancellationToken cancellationToken = default)
    {
        InMemoryJournalStorage.StoredEvent[] selected;
        lock (_storage.Gate)
            selected = _storage.Events.Where(e => e.Offset > afterOffset && e.Tags.Contains(tag)).ToArray();
        return ToEnvelopes(selected, cancellationToken);
    }

    /// <inheritdoc />
    public IAsyncEnumerable<EventEnvelope> CurrentAllEventsAsync(long afterOffset, CancellationToken cancellationToken = default)
    {
        InMemoryJournalStorage.StoredEvent[] selected;
        lock (_storage.Gate)
            selected = _storage.Events.Where(e => e.Offset > afterOffset).ToArray();
        return ToEnvelopes(selected, cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> CurrentPersistenceIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string[] ids;
        lock (_storage.Gate)
            ids = _storage.Streams.Where(s => s.Value.Events.Count > 0).Select(s => s.Key).Order(StringComparer.Ordinal).ToArray();
        foreach (var id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return id;
        }

        await Task.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _disposed = true;
        return ValueTask.CompletedTask;
    }

    private async IAsyncEnumerable<EventEnvelope> ToEnvelopes(InMemoryJournalStorage.StoredEvent[] events, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var e in events)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new EventEnvelope(e.Offset, e.PersistenceId, e.SequenceNr, _serializer.Deserialize(e.Payload, e.PersistenceId, e.SequenceNr), e.Tags, e.Timestamp);
        }

        await Task.CompletedTask;
    }
}
