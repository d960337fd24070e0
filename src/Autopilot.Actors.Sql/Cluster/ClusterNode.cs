using Autopilot.Actors.Persistence;
using Microsoft.Extensions.Logging;

namespace Autopilot.Actors.Sql.Cluster;

/// <summary>
/// Everything one process needs to be a cluster node with one singleton: the database, its membership, a keeper of
/// the singleton's lease and the inbox that singleton drains. A host starts it (<see cref="StartAsync"/>, e.g. from
/// a hosted service) and ties it to its actor system (<see cref="AttachTo"/>) so shutdown leaves the cluster
/// gracefully and being downed shuts the process down.
/// </summary>
public sealed class ClusterNode : IAsyncDisposable
{
    private IDisposable? _selfWatch;
    private IDisposable? _fencing;
    private int _disposed;

    /// <summary>Creates the node; nothing talks to the database before <see cref="StartAsync"/>.</summary>
    /// <param name="settings">Cluster settings (see <see cref="ClusterSettings.FromConfig"/>).</param>
    /// <param name="singletonName">Name of the singleton lease (e.g. <c>orchestrator</c>); the inbox is drained by its holder.</param>
    /// <param name="logger">Receives membership and lease changes and connectivity problems (never secrets).</param>
    /// <param name="timeProvider">Schedules heartbeats and renewals; its wall clock is never used for decisions.</param>
    /// <exception cref="Autopilot.Actors.Configuration.ConfigurationException">The settings are inconsistent.</exception>
    public ClusterNode(ClusterSettings settings, string singletonName, ILogger logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(singletonName);
        Settings = settings;
        Database = new ClusterDatabase(settings, logger, timeProvider);
        Membership = new ClusterMembership(Database, settings, logger, timeProvider);
        Singleton = new SingletonLeaseKeeper(new SingletonLease(Database, singletonName, settings.LeaseDuration), Membership, settings.LeaseRenewInterval, logger, timeProvider);
        Inbox = new DurableInbox(Database, singletonName);
    }

    /// <summary>The settings the node runs with.</summary>
    public ClusterSettings Settings { get; }

    /// <summary>The shared database (health for status pages).</summary>
    public ClusterDatabase Database { get; }

    /// <summary>This node's membership (members, events, operator down).</summary>
    public ClusterMembership Membership { get; }

    /// <summary>The keeper of the singleton's lease: subscribe to start and stop the singleton.</summary>
    public SingletonLeaseKeeper Singleton { get; }

    /// <summary>The inbox the singleton drains with its fencing token.</summary>
    public DurableInbox Inbox { get; }

    /// <summary>
    /// Reaches the database (retrying with capped backoff until <paramref name="cancellationToken"/> fires), joins the
    /// cluster and starts competing for the singleton lease.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled before the database answered.</exception>
    /// <exception cref="ClusterUnavailableException">The database went away between start-up and joining; start again.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Database.StartAsync(cancellationToken).ConfigureAwait(false);
        await Membership.JoinAsync(cancellationToken).ConfigureAwait(false);
        Singleton.Start();
    }

    /// <summary>
    /// Leaves gracefully: Leaving, hand the singleton over (publishes <see cref="LeaseLost"/>, then releases the lease
    /// so a standby takes it at once), Exiting, Removed. A node already Down or Removed only stops its keeper.
    /// </summary>
    /// <exception cref="ClusterUnavailableException">The database did not answer; the failure detector will down the node once it stops.</exception>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        if (Membership.Self?.Status is MemberStatus.Joining or MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Exiting)
            await Membership.LeaveAsync(Singleton.StopAsync, cancellationToken).ConfigureAwait(false);
        else
            await Singleton.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Ties the node to <paramref name="system"/>: its coordinated shutdown leaves the cluster in phase
    /// <see cref="CoordinatedShutdown.PhaseClusterLeave"/> and stops the node in
    /// <see cref="CoordinatedShutdown.PhaseClusterShutdown"/>; if this node is downed, superseded or removed, the shutdown is
    /// started (reason <see cref="CoordinatedShutdown.ClusterLeavingReason"/>); and while persistence is started, every
    /// acquired lease's token becomes the journal's fencing token (it stays after a loss, so late writes are refused
    /// once the new holder writes).
    /// </summary>
    public void AttachTo(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (_selfWatch is not null)
            throw new InvalidOperationException("The cluster node is already attached to an actor system.");
        var shutdown = CoordinatedShutdown.Get(system);
        shutdown.AddTask(CoordinatedShutdown.PhaseClusterLeave, "cluster-leave", () => LeaveAsync(CancellationToken.None));
        shutdown.AddTask(CoordinatedShutdown.PhaseClusterShutdown, "cluster-stop", () => DisposeAsync().AsTask());
        _selfWatch = Membership.Subscribe(e =>
        {
            if (e.Member.NodeId == Membership.NodeId && e.Member.Incarnation == Membership.Incarnation && e is MemberDowned or MemberRemoved)
                _ = shutdown.Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        });
        _fencing = Singleton.Subscribe(e =>
        {
            if (e is LeaseAcquired acquired && system.GetExtension<PersistenceExtension>() is { } persistence)
                persistence.FencingToken = acquired.Token;
        });
    }

    /// <summary>Stops the keeper (releasing a held lease), heartbeats and database access, without leaving.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        _selfWatch?.Dispose();
        _fencing?.Dispose();
        await Singleton.DisposeAsync().ConfigureAwait(false);
        await Membership.DisposeAsync().ConfigureAwait(false);
        await Database.DisposeAsync().ConfigureAwait(false);
    }
}
