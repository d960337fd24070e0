using Autopilot.Actors.Sql.Cluster;
using Autopilot.Daemon.Runtime;

namespace Autopilot.Daemon.Cluster;

/// <summary>Answer of <c>GET /api/cluster</c>: the members, who leads, the leases and the inbox backlog.</summary>
/// <param name="Clustered">False on a single node (then the only member is this node, and it leads).</param>
/// <param name="Self">This node's id.</param>
/// <param name="Leader">The node holding the orchestrator lease now, or null when nobody does (a hand-over in progress).</param>
/// <param name="Members">Every member the database knows, Removed ones included.</param>
/// <param name="Leases">Every singleton lease.</param>
/// <param name="InboxPending">Inbox entries not handled yet.</param>
public sealed record ClusterReport(bool Clustered, string Self, string? Leader, IReadOnlyList<MemberReport> Members, IReadOnlyList<LeaseReport> Leases, long InboxPending)
{
    /// <summary>Reads the cluster's state from its database (or describes the single node).</summary>
    /// <exception cref="ClusterUnavailableException">The cluster database did not answer.</exception>
    public static async Task<ClusterReport> ReadAsync(DaemonRuntime runtime, CancellationToken cancellationToken)
    {
        if (runtime.Cluster is not { } cluster)
        {
            var self = runtime.Settings.NodeName;
            return new ClusterReport(false, self, self,
                [new MemberReport(self, $"http://{runtime.Settings.Http.Host}:{runtime.Settings.Http.Port}", [], "up", 1, Version, null)], [], 0);
        }

        var view = await cluster.Membership.GetViewAsync(cancellationToken).ConfigureAwait(false);
        var pending = await cluster.Inbox.CountPendingAsync(cancellationToken).ConfigureAwait(false);
        return new ClusterReport(true, cluster.Settings.NodeId, LeaderOf(view),
            view.Members.Select(m => new MemberReport(m.NodeId, m.Address, m.Roles, Status(m.Status), m.Incarnation, m.AppVersion, m.StatusReason)).ToArray(),
            view.Leases.Select(l => new LeaseReport(l.Name, l.OwnerNode, l.Token, l.IsHeld, (long)l.RemainingValidity.TotalMilliseconds)).ToArray(),
            pending);
    }

    /// <summary>The holder of the orchestrator lease in <paramref name="view"/>, or null when it is not held.</summary>
    public static string? LeaderOf(ClusterView view) =>
        view.Leases.FirstOrDefault(l => l.Name == DaemonRuntime.SingletonLeaseName && l.IsHeld)?.OwnerNode;

    /// <summary>A member status as the API spells it (lower case, as in Akka's docs).</summary>
    public static string Status(MemberStatus status) => status.ToString().ToLowerInvariant();

    private static string Version => typeof(ClusterReport).Assembly.GetName().Version?.ToString() ?? "0.0.0";
}

/// <summary>One member of the cluster.</summary>
/// <param name="NodeId">Stable node id.</param>
/// <param name="Address">How to reach it.</param>
/// <param name="Roles">Its roles.</param>
/// <param name="Status">joining, up, leaving, exiting, down or removed.</param>
/// <param name="Incarnation">Which start of the node id this is.</param>
/// <param name="AppVersion">Version it runs.</param>
/// <param name="StatusReason">Why it was downed, when it was.</param>
public sealed record MemberReport(string NodeId, string Address, IReadOnlyList<string> Roles, string Status, long Incarnation, string AppVersion, string? StatusReason);

/// <summary>One singleton lease.</summary>
/// <param name="Name">Name of the singleton.</param>
/// <param name="Owner">Node that acquired it last.</param>
/// <param name="Token">Fencing token of that acquisition.</param>
/// <param name="Held">Whether it is unexpired (database clock).</param>
/// <param name="ValidForMs">Milliseconds until it expires unless renewed; 0 when not held.</param>
public sealed record LeaseReport(string Name, string Owner, long Token, bool Held, long ValidForMs);
