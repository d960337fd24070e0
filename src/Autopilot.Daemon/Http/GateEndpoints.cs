using System.Text.Json;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Audit;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Http.Auth;
using Autopilot.Daemon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Daemon.Http;

/// <summary>
/// The production-readiness gate in the admin API: <c>GET /api/gate/{commit}</c> (viewer) shows the newest recorded
/// assessment of a commit (a sha or its prefix) from the audit trail; <c>POST /api/gate/{commit}?service=</c>
/// (operator) has the orchestrator assess it now, without deploying anything, and answers the assessment it recorded.
/// </summary>
public static class GateEndpoints
{
    /// <summary>How many recent audit events <c>GET</c> looks through for the commit's assessment.</summary>
    public const int SearchDepth = 5_000;

    /// <summary>Maps the endpoints onto the <c>/api</c> group.</summary>
    public static RouteGroupBuilder MapGateEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/gate/{commit}", ShowAsync).RequireRole(ApiRole.Viewer);
        api.MapPost("/gate/{commit}", AssessAsync).RequireRole(ApiRole.Operator);
        return api;
    }

    private static async Task<IResult> ShowAsync(DaemonRuntime runtime, string commit, CancellationToken ct)
    {
        if (runtime.Audit is not { } audit)
        {
            return Results.Json(new ApiError("unavailable", "The daemon is starting."), statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var assessments = await audit.LatestAsync(AuditEvents.Tag, 1,
            envelope => envelope.Event is ReadinessAssessed assessed && assessed.Commit.StartsWith(commit, StringComparison.OrdinalIgnoreCase) ? assessed : null, ct,
            maxWindow: SearchDepth);
        return assessments.Count == 0
            ? Results.Json(new ApiError("not_assessed", $"No readiness assessment of {commit} among the last {SearchDepth:N0} audit events; run one with POST (autopilot gate {commit} --run --service <name>)."),
                statusCode: StatusCodes.Status404NotFound)
            : Results.Json(assessments[0], AuditRecord.Json);
    }

    private static async Task<IResult> AssessAsync(OrchestratorClient orchestrator, string commit, string? service, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(service))
        {
            return Results.Json(new ApiError("service_required", "Name the service the commit would be deployed to: ?service=<name>."), statusCode: StatusCodes.Status400BadRequest);
        }

        try
        {
            return await orchestrator.AssessAsync(new AssessReadiness(service, commit), ct) switch
            {
                ReadinessAssessed assessed => Results.Json(assessed, AuditRecord.Json),
                ControlAck refused => Results.Json(new CommandAnswer(false, refused.Message), statusCode: StatusCodes.Status409Conflict),
                var other => Results.Json(new ApiError("unexpected", $"The orchestrator answered {other.GetType().Name}."), statusCode: StatusCodes.Status502BadGateway),
            };
        }
        catch (OrchestratorUnavailableException e)
        {
            return ApiError.Unavailable(e);
        }
    }
}
