using Autopilot.Actors.Persistence.Serialization;

namespace Autopilot.Actors.Persistence.Snapshots;

/// <summary>
/// A snapshot store held in memory, for tests. Snapshots are serialized like in the SQL stores, so an unregistered
/// type is rejected here too.
/// </summary>
public sealed class InMemorySnapshotStore : ISnapshotStore
{
    private readonly EventSerializer _serializer;
    private readonly InMemorySnapshotStorage _storage;

    /// <summary>Creates a store over <paramref name="storage"/> (a new, empty one when null).</summary>
    public InMemorySnapshotStore(EventSerializer serializer, InMemorySnapshotStorage? storage = null)
    {
        _serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        _storage = storage ?? new InMemorySnapshotStorage();
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var payload = _serializer.Serialize(snapshot);
        lock (_storage.Gate)
        {
            if (!_storage.Streams.TryGetValue(metadata.PersistenceId, out var snapshots))
                _storage.Streams[metadata.PersistenceId] = snapshots = new SortedList<long, InMemorySnapshotStorage.StoredSnapshot>();
            snapshots[metadata.SequenceNr] = new InMemorySnapshotStorage.StoredSnapshot(metadata, payload);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        InMemorySnapshotStorage.StoredSnapshot? newest;
        lock (_storage.Gate)
        {
            newest = _storage.Streams.TryGetValue(persistenceId, out var snapshots)
                ? snapshots.Values.LastOrDefault(s => criteria.Matches(s.Metadata))
                : null;
        }

        return Task.FromResult(newest is null
            ? null
            : new SelectedSnapshot(newest.Metadata, _serializer.Deserialize(newest.Payload, persistenceId, newest.Metadata.SequenceNr)));
    }

    /// <inheritdoc />
    public Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default)
    {
        lock (_storage.Gate)
        {
            if (_storage.Streams.TryGetValue(persistenceId, out var snapshots))
            {
                foreach (var sequenceNr in snapshots.Values.Where(s => criteria.Matches(s.Metadata)).Select(s => s.Metadata.SequenceNr).ToArray())
                    snapshots.Remove(sequenceNr);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
