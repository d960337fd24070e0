using System.Text.Json;
using Autopilot.Agents.Configuration;
using Autopilot.Agents.Tasks;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Http.Auth;
using Autopilot.Daemon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Autopilot.Daemon.Http;

/// <summary>
/// Operator tasks in the admin API, answered by the orchestrator's task queue (<see cref="TaskQueue"/>):
/// <c>POST /api/tasks</c> (operator) queues one and answers 202 with its id once it is journaled (an
/// <c>Idempotency-Key</c> header makes a retried submit return the same task); <c>GET /api/tasks</c> and
/// <c>GET /api/tasks/{id}</c> (viewer) list them and show one with its timeline; <c>DELETE /api/tasks/{id}</c>
/// (operator) cancels a queued one (409 once it runs or ended). 503/504 when the orchestrator cannot be asked.
/// </summary>
public static class TaskEndpoints
{
    /// <summary>The request header of a submit's idempotency key.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>The longest idempotency key accepted.</summary>
    public const int MaxIdempotencyKeyLength = 200;

    /// <summary>Maps the endpoints onto the <c>/api</c> group.</summary>
    public static RouteGroupBuilder MapTaskEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/tasks", SubmitAsync).RequireRole(ApiRole.Operator);
        api.MapGet("/tasks", ListAsync).RequireRole(ApiRole.Viewer);
        api.MapGet("/tasks/{id}", ShowAsync).RequireRole(ApiRole.Viewer);
        api.MapDelete("/tasks/{id}", CancelAsync).RequireRole(ApiRole.Operator);
        return api;
    }

    private static async Task<IResult> SubmitAsync(HttpContext http, OrchestratorClient orchestrator, ILogger<AdminCommandEndpoints.CommandLog> log)
    {
        TaskRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<TaskRequest>(http.Request.Body, JsonOptions, http.RequestAborted);
        }
        catch (JsonException e)
        {
            return BadRequest($"The body is not a task: {e.Message}");
        }

        if (body is null)
        {
            return BadRequest("Send a JSON task: {\"kind\": \"rollback\", \"target\": \"api\", \"priority\": \"high\", \"timeout\": \"10m\", \"parameters\": {}}.");
        }

        TimeSpan? timeout = null;
        if (body.Timeout is { ValueKind: not JsonValueKind.Null } given)
        {
            if (!TryParseTimeout(given, out var parsed))
            {
                return BadRequest($"timeout must be a duration such as \"90s\", \"10m\" or \"1h\", or a number of seconds; got {given.GetRawText()}.");
            }

            timeout = parsed;
        }

        var key = http.Request.Headers[IdempotencyKeyHeader].ToString();
        if (key.Length > MaxIdempotencyKeyLength)
        {
            return BadRequest($"The {IdempotencyKeyHeader} header is longer than {MaxIdempotencyKeyLength} characters.");
        }

        var caller = http.Caller();
        var submit = new SubmitTask(body.Kind ?? "", body.Target ?? "", body.Parameters ?? new Dictionary<string, string>(), body.Priority ?? TaskPriorities.Normal,
            timeout, key.Length == 0 ? null : key, caller.Name);
        return await AskAsync(orchestrator, submit, http.RequestAborted, answer =>
        {
            switch (answer)
            {
                case TaskAccepted accepted:
                    log.LogInformation("{Caller} ({Role}) submitted task {TaskId}: {Kind} of {Target} ({Priority}){Existing}", caller.Name, caller.Role,
                        accepted.Task.Id, accepted.Task.Kind, accepted.Task.Target, accepted.Task.Priority, accepted.Existing ? ", an earlier submit under the same key" : "");
                    return Results.Json(new TaskSubmitAnswer(accepted.Task.Id, accepted.Task.Status, accepted.Existing, accepted.Task),
                        statusCode: StatusCodes.Status202Accepted);
                case TaskRejected rejected:
                    return Results.Json(new ApiError("invalid_task", rejected.Reason), statusCode: StatusCodes.Status400BadRequest);
                default:
                    return null;
            }
        });
    }

    private static Task<IResult> ListAsync(OrchestratorClient orchestrator, string? status, CancellationToken ct)
    {
        if (status is not null && !TaskStatuses.All.Contains(status))
        {
            return Task.FromResult(BadRequest($"Unknown status \"{status}\"; known: {string.Join(", ", TaskStatuses.All)}."));
        }

        return AskAsync(orchestrator, new ListTasks(status), ct, answer => answer is TaskList list ? Results.Json(list) : null);
    }

    private static Task<IResult> ShowAsync(OrchestratorClient orchestrator, string id, CancellationToken ct) =>
        AskAsync(orchestrator, new GetTask(id), ct, answer => answer switch
        {
            TaskDetail detail => Results.Json(detail),
            TaskNotFound => NotFound(id),
            _ => null,
        });

    private static Task<IResult> CancelAsync(HttpContext http, OrchestratorClient orchestrator, ILogger<AdminCommandEndpoints.CommandLog> log, string id) =>
        AskAsync(orchestrator, new CancelTask(id, http.Caller().Name), http.RequestAborted, answer =>
        {
            switch (answer)
            {
                case TaskCancelAnswer cancel:
                    log.LogInformation("{Caller} cancelled task {TaskId}: {Cancelled} {Message}", http.Caller().Name, id, cancel.Cancelled, cancel.Message);
                    return Results.Json(cancel, statusCode: cancel.Cancelled ? StatusCodes.Status200OK : StatusCodes.Status409Conflict);
                case TaskNotFound:
                    return NotFound(id);
                default:
                    return null;
            }
        });

    /// <summary>Asks the queue and maps its answer (null from <paramref name="map"/>: an answer it does not expect, 502).</summary>
    private static async Task<IResult> AskAsync(OrchestratorClient orchestrator, ITaskQueueRequest request, CancellationToken ct, Func<object, IResult?> map)
    {
        try
        {
            var answer = await orchestrator.AskTasksAsync(request, ct);
            return map(answer)
                ?? Results.Json(new ApiError("unexpected", $"The task queue answered {answer.GetType().Name}."), statusCode: StatusCodes.Status502BadGateway);
        }
        catch (OrchestratorUnavailableException e)
        {
            return ApiError.Unavailable(e);
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private static IResult BadRequest(string message) => Results.Json(new ApiError("bad_request", message), statusCode: StatusCodes.Status400BadRequest);

    private static IResult NotFound(string id) =>
        Results.Json(new ApiError("not_found", $"No task {id} (never submitted, or finished long ago: autopilot.agents.tasks.retain-finished)."),
            statusCode: StatusCodes.Status404NotFound);

    /// <summary>A duration with its unit as in the configuration (<c>"90s"</c>, <c>"10m"</c>, <c>"1h"</c>, <c>"500ms"</c>), or a number of seconds.</summary>
    internal static bool TryParseTimeout(JsonElement value, out TimeSpan timeout)
    {
        timeout = default;
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (!value.TryGetDouble(out var seconds) || seconds is <= 0 or > 1e7)
            {
                return false;
            }

            timeout = TimeSpan.FromSeconds(seconds);
            return true;
        }

        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } text)
        {
            return false;
        }

        // A unit is required: a bare number in a string is ambiguous (the configuration reads it as milliseconds).
        return char.IsLetter(text[^1]) && ConfigSection.TryParseDuration(text, out timeout) && timeout > TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan;
    }
}

/// <summary>The body of <c>POST /api/tasks</c>.</summary>
/// <param name="Kind">A kind of the catalogue (docs/operations.md).</param>
/// <param name="Target">What it acts on.</param>
/// <param name="Parameters">The kind's parameters.</param>
/// <param name="Priority">high, normal (default) or low.</param>
/// <param name="Timeout">A duration ("10m") or seconds; absent for autopilot.agents.tasks.default-timeout.</param>
public sealed record TaskRequest(string? Kind, string? Target, Dictionary<string, string>? Parameters, string? Priority, JsonElement? Timeout);

/// <summary>The 202 of <c>POST /api/tasks</c>.</summary>
/// <param name="Id">The task's id.</param>
/// <param name="Status">Its status now (queued, or further along when an idempotency key named an earlier submit).</param>
/// <param name="Existing">True when the idempotency key named a task submitted before.</param>
/// <param name="Task">The task.</param>
public sealed record TaskSubmitAnswer(string Id, string Status, bool Existing, TaskView Task);
