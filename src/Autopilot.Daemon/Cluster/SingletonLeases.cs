using Akka.Actor;
using Akka.Cluster;
using Akka.Coordination;
using Autopilot.Agents.Orchestrator;
using Autopilot.Coordination.PostgreSql;
using Autopilot.Daemon.Intake;

namespace Autopilot.Daemon.Cluster;

/// <summary>
/// The PostgreSQL leases of the daemon's two cluster singletons (orchestrator and hand-over). Akka's
/// <c>ClusterSingletonManager</c> names its lease <c>{system}-singleton-{manager path}</c> and takes it through
/// <see cref="LeaseProvider"/> with this node's <c>host:port</c> as owner; asking the provider with the same three
/// values returns that very instance, so what the fence and the admin API see is what the manager holds.
/// </summary>
public static class SingletonLeases
{
    /// <summary>The singletons whose leases the admin API reports, by manager name.</summary>
    public static IReadOnlyList<string> Singletons { get; } = [AutopilotTree.OrchestratorName, DeliveryHandover.SingletonName];

    /// <summary>The lease of the singleton managed at <c>/user/{singleton}</c>, as this node's manager holds it.</summary>
    public static PostgreSqlLease Of(ActorSystem system, string singleton)
    {
        ArgumentNullException.ThrowIfNull(system);
        // The manager's own path as it sees it: local, without host and port, so the name is the same on every node.
        var managerPath = new RootActorPath(new Address("akka", system.Name)) / "user" / singleton;
        var name = $"{system.Name}-singleton-{managerPath}";
        var lease = LeaseProvider.Get(system).GetLease(name, PostgreSqlLease.DefaultConfigPath, Akka.Cluster.Cluster.Get(system).SelfAddress.HostPort());
        return lease as PostgreSqlLease
            ?? throw new InvalidOperationException($"{PostgreSqlLease.DefaultConfigPath} must configure the PostgreSQL lease (got {lease.GetType().Name}).");
    }
}
