using System.Collections.Concurrent;
using Autopilot.Actors.Sql.Cluster;
using Autopilot.Actors.Sql.Connectivity;
using Autopilot.Actors.Sql.Tests.Support;

namespace Autopilot.Actors.Sql.Tests.Cluster;

/// <summary>One cluster node of a test: its database access, membership and (optionally) lease keepers, recording every event.</summary>
public sealed class TestNode : IAsyncDisposable
{
    private readonly List<SingletonLeaseKeeper> _keepers = [];

    private TestNode(ClusterSettings settings, TimeProvider time)
    {
        Settings = settings;
        Time = time;
        Database = new ClusterDatabase(settings, Logger, time);
        Membership = new ClusterMembership(Database, settings, Logger, time);
        Membership.Subscribe(MemberEvents.Enqueue);
    }

    public ClusterSettings Settings { get; }

    public TimeProvider Time { get; }

    public TestLogger Logger { get; } = new();

    public ClusterDatabase Database { get; }

    public ClusterMembership Membership { get; }

    public ConcurrentQueue<MemberEvent> MemberEvents { get; } = new();

    public ConcurrentQueue<LeaseEvent> LeaseEvents { get; } = new();

    /// <summary>
    /// Short intervals so tests run quickly; assertions never depend on them. The failure detector is slow on
    /// purpose: a loaded CI machine can stall a live node's heartbeat for seconds, and a test that is not about
    /// failure detection must not see that node downed. Tests about it use <see cref="FastFailureDetection"/>.
    /// </summary>
    public static ClusterSettings DefaultSettings(string connectionString, string nodeId) => new(connectionString, nodeId)
    {
        Address = $"http://{nodeId}.test:8080",
        Roles = ["webhooks", "orchestrator"],
        AppVersion = "1.2.3-test",
        HeartbeatInterval = TimeSpan.FromMilliseconds(100),
        FailureDetectionTimeout = TimeSpan.FromSeconds(30),
        DownRemovalMargin = TimeSpan.FromSeconds(2),
        LeaseDuration = TimeSpan.FromSeconds(3),
        LeaseRenewInterval = TimeSpan.FromMilliseconds(200),
        StartupBackoff = new RetryBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)),
    };

    /// <summary>Settings for tests that wait for the failure detector to down a silent node.</summary>
    public static ClusterSettings FastFailureDetection(ClusterSettings settings) =>
        settings with { FailureDetectionTimeout = TimeSpan.FromSeconds(2) };

    /// <summary>Starts the database access and joins; returns once this node is Up.</summary>
    public static async Task<TestNode> StartAsync(string connectionString, string nodeId, Func<ClusterSettings, ClusterSettings>? adjust = null, TimeProvider? time = null)
    {
        var settings = DefaultSettings(connectionString, nodeId);
        var node = new TestNode(adjust?.Invoke(settings) ?? settings, time ?? TimeProvider.System);
        await node.Database.StartAsync(CancellationToken.None);
        await node.Membership.JoinAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => node.Membership.Self?.Status == MemberStatus.Up, $"{nodeId} is Up");
        return node;
    }

    /// <summary>Creates and starts a keeper of <paramref name="leaseName"/> on this node, recording its events.</summary>
    public SingletonLeaseKeeper StartKeeper(string leaseName)
    {
        var keeper = new SingletonLeaseKeeper(new SingletonLease(Database, leaseName, Settings.LeaseDuration), Membership, Settings.LeaseRenewInterval, Logger, Time);
        keeper.Subscribe(LeaseEvents.Enqueue);
        keeper.Start();
        _keepers.Add(keeper);
        return keeper;
    }

    public SingletonLease Lease(string name, TimeSpan? duration = null) => new(Database, name, duration ?? Settings.LeaseDuration);

    /// <summary>Statuses this node published for <paramref name="nodeId"/>, in order.</summary>
    public IReadOnlyList<MemberStatus> StatusesOf(string nodeId) =>
        MemberEvents.Where(e => e.Member.NodeId == nodeId).Select(e => e.Member.Status).ToArray();

    public async ValueTask DisposeAsync()
    {
        foreach (var keeper in _keepers)
            await keeper.DisposeAsync();
        await Membership.DisposeAsync();
        await Database.DisposeAsync();
    }
}
