using Akka.Actor;
using Akka.Cluster;

namespace Autopilot.Daemon.Cluster;

/// <summary>
/// This node's place in the cluster as Akka.Cluster sees it now: its member status, and whether it is the oldest Up
/// member, where <c>ClusterSingletonManager</c> runs the orchestrator and the hand-over.
/// </summary>
/// <param name="Status">leader (runs the singletons), standby, or the member status while not Up (joining, leaving, exiting, down, removed).</param>
/// <param name="SingletonHost">Address of the oldest Up member, or null while there is none.</param>
/// <param name="HostsSingletons">True when that is this node.</param>
public sealed record ClusterPlace(string Status, string? SingletonHost, bool HostsSingletons)
{
    /// <summary>The place of the node running <paramref name="system"/> (a clustered actor system).</summary>
    public static ClusterPlace Of(ActorSystem system)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var state = cluster.State;
        var oldest = state.Members.Where(m => m.Status == MemberStatus.Up).OrderBy(m => m, Member.AgeOrdering).FirstOrDefault();
        var self = cluster.SelfMember;
        var hosts = oldest is not null && oldest.Address == cluster.SelfAddress;
        var status = self.Status != MemberStatus.Up ? self.Status.ToString().ToLowerInvariant() : hosts ? "leader" : "standby";
        return new ClusterPlace(status, oldest?.Address.ToString(), hosts);
    }
}
