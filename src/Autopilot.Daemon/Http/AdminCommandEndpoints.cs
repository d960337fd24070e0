using Autopilot.Agents.Migrations;
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
/// Commands of the admin API, each turned into the orchestrator's control message and answered with its
/// <see cref="ControlAck"/>: 200 when accepted, 409 when refused, 503 when the orchestrator is not running, 504 when
/// it did not answer in time. Operator: pause, resume, dry-run, drills, incident acknowledgement, database migrations.
/// Admin: rollback.
/// </summary>
public static class AdminCommandEndpoints
{
    /// <summary>Maps the endpoints onto the <c>/api</c> group.</summary>
    public static RouteGroupBuilder MapAdminCommandEndpoints(this RouteGroupBuilder api)
    {
        var operate = api.MapGroup("").RequireRole(ApiRole.Operator);
        operate.MapPost("/pause", (HttpContext http, OrchestratorClient o, ILogger<CommandLog> log) =>
            SendAsync(http, o, log, new PauseAutopilot(http.Caller().Name)));
        operate.MapPost("/resume", (HttpContext http, OrchestratorClient o, ILogger<CommandLog> log) =>
            SendAsync(http, o, log, new ResumeAutopilot(http.Caller().Name)));
        operate.MapPost("/dry-run", (HttpContext http, OrchestratorClient o, ILogger<CommandLog> log, string? enabled) =>
            bool.TryParse(enabled, out var on) || TryOnOff(enabled, out on)
                ? SendAsync(http, o, log, new SetDryRun(on))
                : Task.FromResult(Results.Json(new ApiError("bad_request", "Pass ?enabled=true or ?enabled=false (on/off)."), statusCode: StatusCodes.Status400BadRequest)));
        operate.MapPost("/drills/{scenario}", (HttpContext http, OrchestratorClient o, ILogger<CommandLog> log, string scenario) =>
            SendAsync(http, o, log, new RunDrill(scenario)));
        operate.MapPost("/incidents/{id}/ack", (HttpContext http, OrchestratorClient o, ILogger<CommandLog> log, string id) =>
            SendAsync(http, o, log, new AcknowledgeIncident(id, http.Caller().Name)));
        // ?dryRun=true answers with the plan; otherwise the pending files are migrated under the policy (see RunMigrations).
        operate.MapPost("/migrations/{target}", (HttpContext http, OrchestratorClient o, ILogger<CommandLog> log, string target, bool? dryRun) =>
            SendAsync(http, o, log, new RunMigrations(target, dryRun ?? false, http.Caller().Name)));

        var admin = api.MapGroup("").RequireRole(ApiRole.Admin);
        admin.MapPost("/rollback/{service}", (HttpContext http, OrchestratorClient o, ILogger<CommandLog> log, string service) =>
            SendAsync(http, o, log, new RequestRollback(service, http.Caller().Name)));
        return api;
    }

    private static bool TryOnOff(string? text, out bool value)
    {
        value = text is "on";
        return text is "on" or "off";
    }

    /// <summary>Sends a command to the orchestrator, logs who sent it and answers 200 (accepted), 409 (refused), 503 or 504.</summary>
    internal static async Task<IResult> SendAsync(HttpContext http, OrchestratorClient orchestrator, ILogger log, object command)
    {
        var caller = http.Caller();
        try
        {
            var ack = await orchestrator.SendAsync(command, http.RequestAborted);
            log.LogInformation("{Caller} ({Role}) sent {Command}: {Accepted} {Message}", caller.Name, caller.Role, command.GetType().Name, ack.Accepted, ack.Message);
            return Results.Json(new CommandAnswer(ack.Accepted, ack.Message), statusCode: ack.Accepted ? StatusCodes.Status200OK : StatusCodes.Status409Conflict);
        }
        catch (OrchestratorUnavailableException e)
        {
            return ApiError.Unavailable(e);
        }
    }

    /// <summary>Category of the command log.</summary>
    public sealed class CommandLog;
}

/// <summary>Answer of a command.</summary>
/// <param name="Accepted">Whether the orchestrator acted on it.</param>
/// <param name="Message">What it did or why it refused.</param>
public sealed record CommandAnswer(bool Accepted, string Message);
