using Autopilot.Actors.Persistence;
using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.Serialization;
using Autopilot.Actors.Persistence.Snapshots;
using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Actors.Sql.Cluster;
using Autopilot.Actors.Sql.Tests.Support;

namespace Autopilot.Actors.Sql.Tests.Cluster;

/// <summary>A cluster node tied to an actor system: shutdown hands over gracefully, being downed shuts the system down.</summary>
[Collection(ClusterPostgresCollection.Name)]
public sealed class ClusterNodeTests(ThrowawayPostgres server)
{
    [Fact]
    public async Task Coordinated_shutdown_leaves_gracefully_and_hands_the_singleton_over_and_the_holders_token_fences_its_journal()
    {
        var db = await server.CreateDatabaseAsync("node_shutdown");
        var logger = new TestLogger();
        await using var system1 = ActorSystem.Create("node1");
        await using var system2 = ActorSystem.Create("node2");
        var serializer = new EventSerializer();
        var persistence1 = PersistenceExtension.Start(system1, new InMemoryEventJournal(serializer), new InMemorySnapshotStore(serializer));
        await using var node1 = new ClusterNode(TestNode.DefaultSettings(db, "node1"), "orchestrator", logger, TimeProvider.System);
        await using var node2 = new ClusterNode(TestNode.DefaultSettings(db, "node2"), "orchestrator", logger, TimeProvider.System);
        node1.AttachTo(system1);
        node2.AttachTo(system2);

        await node1.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => node1.Singleton.HeldToken is not null, "node1 holds the singleton");
        await node2.StartAsync(CancellationToken.None);
        var token1 = node1.Singleton.HeldToken!.Value;
        Assert.Equal(token1, persistence1.FencingToken);
        var events2 = new System.Collections.Concurrent.ConcurrentQueue<MemberEvent>();
        node2.Membership.Subscribe(events2.Enqueue);
        Assert.IsType<MemberUp>(events2.First(e => e.Member.NodeId == "node1"));

        await system1.Terminate();

        Assert.Equal(MemberStatus.Removed, node1.Membership.Self?.Status);
        await Eventually.TrueAsync(() => node2.Singleton.HeldToken is not null, "node2 takes the singleton over");
        Assert.True(node2.Singleton.HeldToken > token1);
        await Eventually.TrueAsync(() => events2.LastOrDefault(e => e.Member.NodeId == "node1") is MemberRemoved, "node2 sees node1 removed");
        Assert.DoesNotContain(events2, e => e is MemberDowned);
        Assert.False(system2.WhenTerminated.IsCompleted);
    }

    [Fact]
    public async Task A_node_downed_by_an_operator_shuts_its_actor_system_down()
    {
        var db = await server.CreateDatabaseAsync("node_downed");
        var logger = new TestLogger();
        await using var system = ActorSystem.Create("downed");
        await using var node = new ClusterNode(TestNode.DefaultSettings(db, "downed"), "orchestrator", logger, TimeProvider.System);
        node.AttachTo(system);
        await node.StartAsync(CancellationToken.None);
        await using var operatorNode = await TestNode.StartAsync(db, "operator");

        await operatorNode.Membership.DownAsync("downed", "decommissioned", CancellationToken.None);

        await system.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(MemberStatus.Down, node.Membership.Self?.Status);
        Assert.Equal(CoordinatedShutdown.ClusterLeavingReason.Instance, CoordinatedShutdown.Get(system).ShutdownReason);
        Assert.Null(node.Singleton.HeldToken);
    }
}
