using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Http.Auth;
using Autopilot.Daemon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Daemon.Http;

/// <summary>
/// The cluster part of the admin API. Clustered mode is off until the Akka.Cluster move (issue 12), so
/// <c>GET /api/cluster</c> (viewer) describes this single node, and <c>POST /api/cluster/leave</c> (operator) and
/// <c>POST /api/cluster/down/{nodeId}</c> (admin) answer 409 <c>not_clustered</c>.
/// </summary>
public static class ClusterEndpoints
{
    /// <summary>What the cluster commands answer while clustered mode is off.</summary>
    public const string NotYet = "clustered mode is off until the Akka.Cluster move (issue 12)";

    /// <summary>Maps the endpoints onto the <c>/api</c> group.</summary>
    public static RouteGroupBuilder MapClusterEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/cluster", (DaemonRuntime runtime) => Results.Json(ClusterReport.SingleNode(runtime))).RequireRole(ApiRole.Viewer);
        api.MapPost("/cluster/leave", () => NotClustered()).RequireRole(ApiRole.Operator);
        api.MapPost("/cluster/down/{nodeId}", (string nodeId) => NotClustered()).RequireRole(ApiRole.Admin);
        return api;
    }

    private static IResult NotClustered() =>
        Results.Json(new ApiError("not_clustered", $"This daemon runs as a single node: {NotYet} ({DaemonSettings.ClusterEnabledKey} = off); stop the process instead."),
            statusCode: StatusCodes.Status409Conflict);
}

/// <summary>Answer of <c>GET /api/cluster</c>.</summary>
/// <param name="Clustered">Always false in this build (then the only member is this node, and it leads).</param>
/// <param name="Self">This node's id.</param>
/// <param name="Leader">The node running the orchestrator.</param>
/// <param name="Members">The members (this node).</param>
/// <param name="Leases">Singleton leases (none on a single node).</param>
/// <param name="InboxPending">Durable inbox backlog (none on a single node).</param>
/// <param name="Detail">Why clustering is off.</param>
public sealed record ClusterReport(bool Clustered, string Self, string? Leader, IReadOnlyList<MemberReport> Members, IReadOnlyList<LeaseReport> Leases, long InboxPending,
    string Detail)
{
    /// <summary>This node as the only member.</summary>
    public static ClusterReport SingleNode(DaemonRuntime runtime)
    {
        var self = runtime.Settings.NodeName;
        var version = typeof(ClusterReport).Assembly.GetName().Version?.ToString() ?? "0.0.0";
        return new ClusterReport(false, self, self,
            [new MemberReport(self, $"http://{runtime.Settings.Http.Host}:{runtime.Settings.Http.Port}", [], "up", 1, version, null)], [], 0,
            ClusterEndpoints.NotYet);
    }
}

/// <summary>One member of the cluster.</summary>
public sealed record MemberReport(string NodeId, string Address, IReadOnlyList<string> Roles, string Status, long Incarnation, string AppVersion, string? StatusReason);

/// <summary>One singleton lease.</summary>
public sealed record LeaseReport(string Name, string Owner, long Token, bool Held, long ValidForMs);
