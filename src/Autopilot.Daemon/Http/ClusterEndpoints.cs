using Autopilot.Actors.Sql.Cluster;
using Autopilot.Daemon.Cluster;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Http.Auth;
using Autopilot.Daemon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Autopilot.Daemon.Http;

/// <summary>
/// The cluster part of the admin API: <c>GET /api/cluster</c> (viewer) shows members, leader, leases and inbox
/// backlog; <c>POST /api/cluster/leave</c> (operator) makes this node leave gracefully and exit 0;
/// <c>POST /api/cluster/down/{nodeId}</c> (admin) declares a node Down so its lease moves at once.
/// </summary>
public static class ClusterEndpoints
{
    /// <summary>Maps the endpoints onto the <c>/api</c> group.</summary>
    public static RouteGroupBuilder MapClusterEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/cluster", ShowAsync).RequireRole(ApiRole.Viewer);
        api.MapPost("/cluster/leave", Leave).RequireRole(ApiRole.Operator);
        api.MapPost("/cluster/down/{nodeId}", DownAsync).RequireRole(ApiRole.Admin);
        return api;
    }

    private static async Task<IResult> ShowAsync(DaemonRuntime runtime, CancellationToken ct)
    {
        try
        {
            return Results.Json(await ClusterReport.ReadAsync(runtime, ct));
        }
        catch (ClusterUnavailableException)
        {
            return Unavailable();
        }
    }

    private static IResult Leave(HttpContext http, DaemonRuntime runtime, IHostApplicationLifetime lifetime, ILogger<ClusterOperationsLog> log)
    {
        if (runtime.Cluster is null)
        {
            return NotClustered();
        }

        var caller = http.Caller();
        log.LogWarning("{Caller} ({Role}) asked node {Node} to leave the cluster", caller.Name, caller.Role, runtime.Settings.NodeName);
        // Stopping the host runs the coordinated shutdown: hand the singleton over, leave, exit 0. The server lets
        // requests in flight finish, so the caller still gets its 202.
        lifetime.StopApplication();
        return Results.Json(new LeaveAnswer(runtime.Cluster.Settings.NodeId, "leaving"), statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> DownAsync(HttpContext http, DaemonRuntime runtime, ILogger<ClusterOperationsLog> log, string nodeId, CancellationToken ct)
    {
        if (runtime.Cluster is not { } cluster)
        {
            return NotClustered();
        }

        var caller = http.Caller();
        try
        {
            var downed = await cluster.Membership.DownAsync(nodeId, $"downed by {caller.Name} through {cluster.Settings.NodeId}", ct);
            log.LogWarning("{Caller} ({Role}) downed node {Target}: {Downed}", caller.Name, caller.Role, nodeId, downed ? "now Down" : "was not live");
            return Results.Json(new DownAnswer(nodeId, downed));
        }
        catch (UnknownMemberException e)
        {
            return Results.Json(new ApiError("not_found", e.Message), statusCode: StatusCodes.Status404NotFound);
        }
        catch (ClusterUnavailableException)
        {
            return Unavailable();
        }
    }

    private static IResult NotClustered() =>
        Results.Json(new ApiError("not_clustered", $"This daemon runs as a single node ({DaemonClusterSettings.EnabledKey} = off); stop the process instead."),
            statusCode: StatusCodes.Status409Conflict);

    private static IResult Unavailable() =>
        Results.Json(new ApiError("unavailable", "The cluster database did not answer; try again."), statusCode: StatusCodes.Status503ServiceUnavailable);

    /// <summary>Category of the cluster operations log.</summary>
    public sealed class ClusterOperationsLog;
}

/// <summary>Answer of <c>POST /api/cluster/leave</c>.</summary>
/// <param name="Node">The node that leaves.</param>
/// <param name="Status"><c>leaving</c>.</param>
public sealed record LeaveAnswer(string Node, string Status);

/// <summary>Answer of <c>POST /api/cluster/down/{nodeId}</c>.</summary>
/// <param name="Node">The node named.</param>
/// <param name="Downed">True if it was live and is now Down; false if it already was Down or Removed.</param>
public sealed record DownAnswer(string Node, bool Downed);
