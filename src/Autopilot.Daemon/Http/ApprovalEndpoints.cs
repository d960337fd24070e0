using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Http.Auth;
using Autopilot.Daemon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Autopilot.Daemon.Http;

/// <summary>
/// Approvals in the admin API: <c>GET /api/approvals</c> (viewer) lists those waiting for a human;
/// <c>POST /api/approvals/{id}/approve</c> and <c>/reject</c> (operator) decide one as the token's name, channel
/// <c>cli</c>: 200 when decided, 409 when it was already decided, expired or unknown, 503/504 as for every command.
/// </summary>
public static class ApprovalEndpoints
{
    /// <summary>Maps the endpoints onto the <c>/api</c> group.</summary>
    public static RouteGroupBuilder MapApprovalEndpoints(this RouteGroupBuilder api)
    {
        api.MapGroup("").RequireRole(ApiRole.Viewer).MapGet("/approvals", ListAsync);
        var operate = api.MapGroup("").RequireRole(ApiRole.Operator);
        operate.MapPost("/approvals/{id}/approve", (HttpContext http, OrchestratorClient o, ILogger<AdminCommandEndpoints.CommandLog> log, string id) =>
            DecideAsync(http, o, log, id, approve: true));
        operate.MapPost("/approvals/{id}/reject", (HttpContext http, OrchestratorClient o, ILogger<AdminCommandEndpoints.CommandLog> log, string id) =>
            DecideAsync(http, o, log, id, approve: false));
        return api;
    }

    private static async Task<IResult> ListAsync(OrchestratorClient orchestrator, CancellationToken ct)
    {
        try
        {
            var pending = await orchestrator.PendingApprovalsAsync(ct);
            return Results.Json(new ApprovalList(pending.Approvals.Select(a => new ApprovalView(
                a.ApprovalId, a.Service, a.Action, a.Reason, a.Confidence, a.Evidence, a.Commit, a.DeploymentId, a.At, a.At + pending.ExpiresAfter)).ToArray()));
        }
        catch (OrchestratorUnavailableException e)
        {
            return ApiError.Unavailable(e);
        }
    }

    private static Task<IResult> DecideAsync(HttpContext http, OrchestratorClient orchestrator, ILogger log, string id, bool approve) =>
        AdminCommandEndpoints.SendAsync(http, orchestrator, log, new DecideApproval(id, approve, http.Caller().Name, ApprovalChannels.Cli));
}

/// <summary>Answer of <c>GET /api/approvals</c>.</summary>
/// <param name="Approvals">Pending approvals, oldest first.</param>
public sealed record ApprovalList(IReadOnlyList<ApprovalView> Approvals);

/// <summary>One pending approval.</summary>
/// <param name="Id">Its id (what <c>autopilot approve</c> takes).</param>
/// <param name="Service">Service.</param>
/// <param name="Action">The action waiting.</param>
/// <param name="Reason">Why a human is asked.</param>
/// <param name="Confidence">Confidence of the diagnosis, when computed.</param>
/// <param name="Evidence">The situation and its evidence.</param>
/// <param name="Commit">Commit, if any.</param>
/// <param name="DeploymentId">Deployment, if any.</param>
/// <param name="RequestedAt">When it was asked.</param>
/// <param name="ExpiresAt">When it expires if nobody decides.</param>
public sealed record ApprovalView(
    string Id, string Service, string Action, string Reason, int? Confidence, IReadOnlyDictionary<string, string> Evidence, string? Commit, string? DeploymentId,
    DateTimeOffset RequestedAt, DateTimeOffset ExpiresAt);
