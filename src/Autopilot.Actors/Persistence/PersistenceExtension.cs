using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.Snapshots;

namespace Autopilot.Actors.Persistence;

/// <summary>
/// The journal and snapshot store of one actor system, which persistent actors write to. Registered once at start
/// (<see cref="Start"/>); the host chooses the back end from configuration.
/// </summary>
public sealed class PersistenceExtension
{
    private long _fencingToken = long.MinValue;

    private PersistenceExtension(IEventJournal journal, ISnapshotStore snapshotStore)
    {
        Journal = journal;
        SnapshotStore = snapshotStore;
    }

    /// <summary>Where events go.</summary>
    public IEventJournal Journal { get; }

    /// <summary>Where snapshots go.</summary>
    public ISnapshotStore SnapshotStore { get; }

    /// <summary>
    /// The fencing token of the lease this node holds (cluster singleton), attached to every write so that the
    /// journal refuses writes of a node that lost its lease; null outside a cluster.
    /// </summary>
    public long? FencingToken
    {
        get
        {
            var token = Interlocked.Read(ref _fencingToken);
            return token == long.MinValue ? null : token;
        }

        set => Interlocked.Exchange(ref _fencingToken, value ?? long.MinValue);
    }

    /// <summary>Makes <paramref name="journal"/> and <paramref name="snapshotStore"/> the system's persistence.</summary>
    public static PersistenceExtension Start(ActorSystem system, IEventJournal journal, ISnapshotStore snapshotStore) =>
        system.RegisterExtension(new PersistenceExtension(journal, snapshotStore));

    /// <summary>The system's persistence.</summary>
    /// <exception cref="InvalidOperationException">None was started.</exception>
    public static PersistenceExtension Get(ActorSystem system) =>
        system.GetExtension<PersistenceExtension>()
        ?? throw new InvalidOperationException($"Persistence is not started in actor system '{system.Name}': call PersistenceExtension.Start(system, journal, snapshotStore) first.");
}
