using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Autopilot.Simulator.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Autopilot.Simulator.N8n;

/// <summary>
/// An n8n 2.x instance for tests: the public API's workflow and execution endpoints under <c>/api/v1</c>
/// (guarded by <c>X-N8N-API-KEY</c>) and production webhooks under <c>/webhook/{path}</c>. Responses have the
/// shapes of n8n 2.41's OpenAPI spec; errors are n8n's <c>{"message"}</c> bodies with n8n's statuses
/// (401 missing/bad key, 400 for bodies the request validator refuses, 404 unknown ids and webhooks with a
/// <c>hint</c>, 409 retrying a successful execution). Webhooks of active workflows start executions; any
/// webhook path can be scripted to answer 200, 403, 504 or to hang.
/// </summary>
public sealed class N8nFake : FakeServer
{
    // Like the real servers, write apostrophes, quotes in text and non-ASCII as themselves rather than \uXXXX.
    private static readonly JsonSerializerOptions PlainJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const int MaxPageSize = 250;
    private const int DefaultPageSize = 100;

    private static readonly string[] WorkflowBodyProperties = ["name", "nodes", "connections", "settings", "staticData"];

    private static readonly HashSet<string> NodeProperties =
    [
        "id", "name", "webhookId", "disabled", "notesInFlow", "notes", "type", "typeVersion", "executeOnce", "alwaysOutputData",
        "retryOnFail", "maxTries", "waitBetweenTries", "continueOnFail", "onError", "position", "parameters", "credentials",
        "customTelemetryTags", "createdAt", "updatedAt",
    ];

    private static readonly HashSet<string> SettingsProperties =
    [
        "saveExecutionProgress", "saveManualExecutions", "saveDataErrorExecution", "saveDataSuccessExecution", "executionTimeout",
        "errorWorkflow", "timezone", "executionOrder", "binaryMode", "callerPolicy", "callerIds", "timeSavedMode",
        "timeSavedPerExecution", "redactionPolicy", "availableInMCP", "customTelemetryTags", "credentialResolverId",
    ];

    // GET /executions?status= as each version's spec declares it (n8n-1.99.1 / n8n-2.41.3 public-api-v1 openapi.yml).
    private static readonly HashSet<string> ExecutionStatuses241 = ["canceled", "crashed", "error", "new", "running", "success", "unknown", "waiting"];
    private static readonly HashSet<string> ExecutionStatuses199 = ["error", "success", "waiting"];

    private HashSet<string> ExecutionStatuses => Version == N8nFakeVersion.V1_99 ? ExecutionStatuses199 : ExecutionStatuses241;

    private readonly string _apiKey;
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, StoredWorkflow> _workflows = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, N8nFakeExecution> _executions = new();
    private readonly Dictionary<string, N8nWebhookBehavior> _scriptedWebhooks = new(StringComparer.Ordinal);
    private readonly Queue<(int Status, string Message, int? RetryAfterSeconds)> _scriptedApiFailures = new();
    private long _nextWorkflow = 1;
    private long _nextExecution = 1;
    private long _nextVersion = 1;

    /// <summary>Creates the fake; <paramref name="apiKey"/> is the only key it accepts.</summary>
    /// <param name="timeProvider">The fake's clock.</param>
    /// <param name="apiKey">The only API key it accepts.</param>
    /// <param name="version">
    /// The n8n release whose public API it plays. 1.99: <c>GET /executions?status=</c> accepts only
    /// <c>error</c>, <c>success</c>, <c>waiting</c> and there is no <c>POST /executions/{id}/retry</c> (404).
    /// 2.41: all eight execution statuses and the retry endpoint.
    /// </param>
    public N8nFake(TimeProvider timeProvider, string apiKey, N8nFakeVersion version = N8nFakeVersion.V2_41) : base(timeProvider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        _apiKey = apiKey;
        Version = version;
    }

    /// <summary>The n8n release this fake plays.</summary>
    public N8nFakeVersion Version { get; }

    /// <summary>Status of the executions that retries create ("success" unless a test wants retries to fail too).</summary>
    public string RetryOutcome { get; set; } = "success";

    /// <summary>Adds a workflow directly (as if made in the editor) and returns its id.</summary>
    /// <param name="name">Display name.</param>
    /// <param name="nodesJson">JSON array of nodes; a webhook node (<c>n8n-nodes-base.webhook</c>) with <c>parameters.path</c> serves that path while active.</param>
    /// <param name="active">Whether it starts active.</param>
    public string AddWorkflow(string name, string nodesJson = "[]", bool active = false)
    {
        var nodes = JsonNode.Parse(nodesJson) as JsonArray ?? throw new ArgumentException("Nodes must be a JSON array.", nameof(nodesJson));
        lock (_gate)
        {
            var workflow = NewWorkflow(name, nodes, new JsonObject(), new JsonObject());
            if (active)
            {
                Activate(workflow);
            }

            return workflow.Id;
        }
    }

    /// <summary>Adds a finished execution of <paramref name="workflowId"/> and returns its id.</summary>
    public long AddExecution(string workflowId, string status, string mode = "trigger")
    {
        lock (_gate)
        {
            var now = TimeProvider.GetUtcNow();
            var execution = new N8nFakeExecution(_nextExecution++, workflowId, status, mode, now, status is "running" or "new" ? null : now);
            _executions[execution.Id] = execution;
            return execution.Id;
        }
    }

    /// <summary>Makes <c>/webhook/{path}</c> answer as <paramref name="behavior"/> says, for any method, until rescripted.</summary>
    public void ScriptWebhook(string path, N8nWebhookBehavior behavior)
    {
        lock (_gate)
        {
            _scriptedWebhooks[path.Trim('/')] = behavior;
        }
    }

    /// <summary>
    /// The next authenticated API call answers <paramref name="status"/> with <c>{"message"}</c> instead of being
    /// served (e.g. 503 while n8n restarts), with a <c>Retry-After</c> header when <paramref name="retryAfterSeconds"/> is given.
    /// </summary>
    public void FailNextApiCall(int status, string message, int? retryAfterSeconds = null)
    {
        lock (_gate)
        {
            _scriptedApiFailures.Enqueue((status, message, retryAfterSeconds));
        }
    }

    /// <summary>Every execution, oldest first.</summary>
    public IReadOnlyList<N8nFakeExecution> Executions
    {
        get
        {
            lock (_gate)
            {
                return _executions.Values.ToArray();
            }
        }
    }

    /// <summary>Whether the workflow is currently active.</summary>
    public bool IsActive(string workflowId)
    {
        lock (_gate)
        {
            return _workflows.TryGetValue(workflowId, out var workflow) && workflow.Active;
        }
    }

    /// <inheritdoc />
    protected override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/workflows", Api(ListWorkflows));
        endpoints.MapPost("/api/v1/workflows", Api(CreateWorkflowAsync));
        endpoints.MapGet("/api/v1/workflows/{id}", Api(GetWorkflow));
        endpoints.MapPut("/api/v1/workflows/{id}", Api(UpdateWorkflowAsync));
        endpoints.MapPost("/api/v1/workflows/{id}/activate", Api(ActivateWorkflow));
        endpoints.MapPost("/api/v1/workflows/{id}/deactivate", Api(DeactivateWorkflow));
        endpoints.MapGet("/api/v1/executions", Api(ListExecutions));
        endpoints.MapGet("/api/v1/executions/{id}", Api(GetExecution));
        endpoints.MapPost("/api/v1/executions/{id}/retry", Api(RetryExecution));
        endpoints.Map("/api/v1/{**rest}", Api(_ => Task.FromResult(Error(404, "not found"))));
        endpoints.Map("/webhook/{**path}", HandleWebhookAsync);
    }

    private RequestDelegate Api(Func<HttpContext, Task<(int Status, JsonNode Body)>> handler) => async context =>
    {
        var key = context.Request.Headers["X-N8N-API-KEY"].ToString();
        (int Status, string Message, int? RetryAfterSeconds)? failure = null;
        lock (_gate)
        {
            if (key == _apiKey && _scriptedApiFailures.Count > 0)
            {
                failure = _scriptedApiFailures.Dequeue();
            }
        }

        if (failure?.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        var (status, body) = key.Length == 0
            ? Error(401, "'X-N8N-API-KEY' header required")
            : key != _apiKey
                ? Error(401, "unauthorized")
                : failure is { } scripted
                    ? Error(scripted.Status, scripted.Message)
                    : await handler(context);
        await WriteAsync(context, status, body);
    };

    private RequestDelegate Api(Func<HttpContext, (int Status, JsonNode Body)> handler) => Api(context => Task.FromResult(handler(context)));

    private (int, JsonNode) ListWorkflows(HttpContext context)
    {
        if (!TryReadPaging(context.Request.Query, out var limit, out var afterId, out var error))
        {
            return error;
        }

        var active = context.Request.Query["active"].ToString();
        if (active.Length > 0 && active is not ("true" or "false"))
        {
            return Error(400, "request/query/active must be equal to one of the allowed values: true, false");
        }

        var name = context.Request.Query["name"].ToString();
        lock (_gate)
        {
            var matching = _workflows.Values
                .Where(w => active.Length == 0 || w.Active == (active == "true"))
                .Where(w => name.Length == 0 || w.Name == name)
                .Where(w => afterId is null || string.CompareOrdinal(w.Id, afterId) > 0)
                .ToArray();
            var page = matching.Take(limit).ToArray();
            return (200, new JsonObject
            {
                ["data"] = new JsonArray(page.Select(w => (JsonNode)Serialize(w, includeShared: true)).ToArray()),
                ["nextCursor"] = matching.Length > limit ? Cursor(page[^1].Id, limit) : null,
            });
        }
    }

    private async Task<(int, JsonNode)> CreateWorkflowAsync(HttpContext context)
    {
        var (definition, error) = await ReadWorkflowBodyAsync(context);
        if (definition is null)
        {
            return error;
        }

        lock (_gate)
        {
            var workflow = NewWorkflow(
                definition["name"]!.GetValue<string>(),
                (JsonArray)definition["nodes"]!.DeepClone(),
                (JsonObject)definition["connections"]!.DeepClone(),
                (JsonObject)definition["settings"]!.DeepClone());
            var body = Serialize(workflow, includeShared: true);
            body["parentFolder"] = null;
            return (200, body);
        }
    }

    private (int, JsonNode) GetWorkflow(HttpContext context)
    {
        lock (_gate)
        {
            return _workflows.TryGetValue(RouteId(context), out var workflow)
                ? (200, Serialize(workflow, includeShared: true))
                : Error(404, "Not Found");
        }
    }

    private async Task<(int, JsonNode)> UpdateWorkflowAsync(HttpContext context)
    {
        var (definition, error) = await ReadWorkflowBodyAsync(context);
        if (definition is null)
        {
            return error;
        }

        lock (_gate)
        {
            if (!_workflows.TryGetValue(RouteId(context), out var workflow))
            {
                return Error(404, "Not Found");
            }

            workflow.Name = definition["name"]!.GetValue<string>();
            workflow.Nodes = (JsonArray)definition["nodes"]!.DeepClone();
            workflow.Connections = (JsonObject)definition["connections"]!.DeepClone();
            workflow.Settings = (JsonObject)definition["settings"]!.DeepClone();
            workflow.VersionId = NextVersionId();
            workflow.VersionCounter++;
            workflow.UpdatedAt = TimeProvider.GetUtcNow();
            return (200, Serialize(workflow, includeShared: true));
        }
    }

    private (int, JsonNode) ActivateWorkflow(HttpContext context)
    {
        lock (_gate)
        {
            if (!_workflows.TryGetValue(RouteId(context), out var workflow))
            {
                return Error(404, "Not Found");
            }

            if (!workflow.Nodes.OfType<JsonObject>().Any(IsTriggerNode))
            {
                return Error(400, "Workflow has no node to start the workflow - at least one trigger, poller or webhook node is required");
            }

            Activate(workflow);
            return (200, Serialize(workflow, includeShared: false));
        }
    }

    private (int, JsonNode) DeactivateWorkflow(HttpContext context)
    {
        lock (_gate)
        {
            if (!_workflows.TryGetValue(RouteId(context), out var workflow))
            {
                return Error(404, "Not Found");
            }

            if (workflow.Active)
            {
                workflow.Active = false;
                workflow.ActiveVersionId = null;
                workflow.PublishHistory.Add(("deactivated", workflow.VersionId, TimeProvider.GetUtcNow()));
            }

            return (200, Serialize(workflow, includeShared: true));
        }
    }

    private (int, JsonNode) ListExecutions(HttpContext context)
    {
        if (!TryReadPaging(context.Request.Query, out var limit, out var afterId, out var error))
        {
            return error;
        }

        var status = context.Request.Query["status"].ToString();
        if (status.Length > 0 && !ExecutionStatuses.Contains(status))
        {
            return Error(400, $"request/query/status must be equal to one of the allowed values: {string.Join(", ", ExecutionStatuses.Order())}");
        }

        var workflowId = context.Request.Query["workflowId"].ToString();
        long? before = null;
        if (afterId is not null)
        {
            if (!long.TryParse(afterId, NumberStyles.None, CultureInfo.InvariantCulture, out var lastId))
            {
                return Error(400, "An invalid cursor was provided");
            }

            before = lastId;
        }

        lock (_gate)
        {
            // Newest first, as n8n lists them.
            var matching = _executions.Values.Reverse()
                .Where(e => status.Length == 0 || e.Status == status)
                .Where(e => workflowId.Length == 0 || e.WorkflowId == workflowId)
                .Where(e => before is null || e.Id < before)
                .ToArray();
            var page = matching.Take(limit).ToArray();
            return (200, new JsonObject
            {
                ["data"] = new JsonArray(page.Select(e => (JsonNode)Serialize(e, includeData: false)).ToArray()),
                ["nextCursor"] = matching.Length > limit ? Cursor(page[^1].Id.ToString(CultureInfo.InvariantCulture), limit) : null,
            });
        }
    }

    private (int, JsonNode) GetExecution(HttpContext context)
    {
        if (!long.TryParse(RouteId(context), NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id < 1)
        {
            return Error(400, "request/params/id must be integer");
        }

        lock (_gate)
        {
            return _executions.TryGetValue(id, out var execution)
                ? (200, Serialize(execution, includeData: context.Request.Query["includeData"] == "true"))
                : Error(404, "Not Found");
        }
    }

    private (int, JsonNode) RetryExecution(HttpContext context)
    {
        if (Version == N8nFakeVersion.V1_99)
        {
            return Error(404, "not found");
        }

        if (!long.TryParse(RouteId(context), NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id < 1)
        {
            return Error(400, "request/params/executionId must be integer");
        }

        lock (_gate)
        {
            if (!_executions.TryGetValue(id, out var original))
            {
                return Error(404, "Not Found");
            }

            if (original.Status == "success")
            {
                return Error(409, "The execution succeeded, so it cannot be retried.");
            }

            if (original.Status is "new" or "running" or "waiting")
            {
                return Error(409, "The execution is still in progress, so it cannot be retried.");
            }

            var now = TimeProvider.GetUtcNow();
            var retry = new N8nFakeExecution(_nextExecution++, original.WorkflowId, RetryOutcome, "retry", now, now, RetryOf: original.Id);
            _executions[retry.Id] = retry;
            if (RetryOutcome == "success")
            {
                _executions[original.Id] = original with { RetrySuccessId = retry.Id };
            }

            var body = Serialize(retry, includeData: true);
            foreach (var absent in new[] { "retrySuccessId", "createdAt", "stoppedAt", "deletedAt", "tracingContext", "deduplicationKey", "jsonSizeBytes", "binaryDataSizeBytes", "workflowVersionId", "usedPrivateCredentials" })
            {
                body.Remove(absent);
            }

            return (200, body);
        }
    }

    private async Task HandleWebhookAsync(HttpContext context)
    {
        var path = ((string?)context.GetRouteValue("path") ?? "").Trim('/');
        var method = context.Request.Method.ToUpperInvariant();
        N8nWebhookBehavior? scripted;
        StoredWorkflow? target;
        string? otherMethod = null;
        lock (_gate)
        {
            _scriptedWebhooks.TryGetValue(path, out scripted);
            var registered = _workflows.Values.Where(w => w.Active)
                .SelectMany(w => WebhookNodes(w).Select(n => (Workflow: w, n.Method, n.Path)))
                .Where(r => r.Path == path)
                .ToArray();
            target = registered.FirstOrDefault(r => r.Method == method).Workflow;
            if (target is null && registered.Length > 0)
            {
                otherMethod = registered[0].Method;
            }
        }

        switch (scripted)
        {
            case N8nWebhookBehavior.Hang:
                await HangAsync(context);
                return;
            case N8nWebhookBehavior.Respond respond:
                if (target is not null && respond.StatusCode is >= 200 and < 300)
                {
                    AddExecution(target.Id, "success", "webhook");
                }

                await WriteAsync(context, respond.StatusCode, JsonNode.Parse(respond.Body)!);
                return;
        }

        if (target is not null)
        {
            AddExecution(target.Id, "success", "webhook");
            await WriteAsync(context, 200, new JsonObject { ["message"] = "Workflow was started" });
            return;
        }

        var notFound = otherMethod is not null
            ? new JsonObject { ["code"] = 404, ["message"] = $"This webhook is not registered for {method} requests. Did you mean to make a {otherMethod} request?" }
            : new JsonObject
            {
                ["code"] = 404,
                ["message"] = $"The requested webhook \"{method} {path}\" is not registered.",
                ["hint"] = "Production webhooks only answer while their workflow is active; activate the workflow and call again.",
            };
        await WriteAsync(context, 404, notFound);
    }

    private static async Task HangAsync(HttpContext context)
    {
        var stopping = context.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        try
        {
            await Task.Delay(Timeout.Infinite, either.Token);
        }
        catch (OperationCanceledException)
        {
            // The caller gave up (or the fake is stopping): there is nobody left to answer.
        }
    }

    private async Task<(JsonObject? Definition, (int, JsonNode) Error)> ReadWorkflowBodyAsync(HttpContext context)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            return (null, Error(400, "request/body must be object"));
        }

        if (body is not JsonObject definition)
        {
            return (null, Error(400, "request/body must be object"));
        }

        foreach (var required in new[] { "name", "nodes", "connections", "settings" })
        {
            if (!definition.ContainsKey(required))
            {
                return (null, Error(400, $"request/body must have required property '{required}'"));
            }
        }

        if (definition.Select(p => p.Key).FirstOrDefault(k => !WorkflowBodyProperties.Contains(k)) is { } extra)
        {
            return (null, Error(400, $"request/body must NOT have additional properties (found '{extra}')"));
        }

        if (definition["name"] is not JsonValue name || !name.TryGetValue<string>(out _))
        {
            return (null, Error(400, "request/body/name must be string"));
        }

        if (definition["nodes"] is not JsonArray nodes)
        {
            return (null, Error(400, "request/body/nodes must be array"));
        }

        if (definition["connections"] is not JsonObject)
        {
            return (null, Error(400, "request/body/connections must be object"));
        }

        if (definition["settings"] is not JsonObject settings)
        {
            return (null, Error(400, "request/body/settings must be object"));
        }

        for (var i = 0; i < nodes.Count; i++)
        {
            if (nodes[i] is not JsonObject node)
            {
                return (null, Error(400, $"request/body/nodes/{i} must be object"));
            }

            if (node.Select(p => p.Key).FirstOrDefault(k => !NodeProperties.Contains(k)) is { } nodeExtra)
            {
                return (null, Error(400, $"request/body/nodes/{i} must NOT have additional properties (found '{nodeExtra}')"));
            }
        }

        if (settings.Select(p => p.Key).FirstOrDefault(k => !SettingsProperties.Contains(k)) is { } settingsExtra)
        {
            return (null, Error(400, $"request/body/settings must NOT have additional properties (found '{settingsExtra}')"));
        }

        return (definition, default);
    }

    private static bool TryReadPaging(IQueryCollection query, out int limit, out string? afterId, out (int, JsonNode) error)
    {
        limit = DefaultPageSize;
        afterId = null;
        error = default;
        var limitText = query["limit"].ToString();
        if (limitText.Length > 0)
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit))
            {
                error = Error(400, "request/query/limit must be number");
                return false;
            }

            if (limit > MaxPageSize)
            {
                error = Error(400, $"request/query/limit must be <= {MaxPageSize}");
                return false;
            }

            if (limit < 1)
            {
                error = Error(400, "request/query/limit must be >= 1");
                return false;
            }
        }

        var cursor = query["cursor"].ToString();
        if (cursor.Length == 0)
        {
            return true;
        }

        try
        {
            var decoded = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(cursor)));
            afterId = decoded?["lastId"]?.GetValue<string>();
            // The cursor carries the page size it was issued with; n8n keeps using it.
            limit = decoded?["limit"]?.GetValue<int>() ?? limit;
        }
        catch (Exception exception) when (exception is FormatException or JsonException or InvalidOperationException)
        {
            afterId = null;
        }

        if (afterId is null)
        {
            error = Error(400, "An invalid cursor was provided");
            return false;
        }

        return true;
    }

    private static string Cursor(string lastId, int limit) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject { ["lastId"] = lastId, ["limit"] = limit }.ToJsonString()));

    private StoredWorkflow NewWorkflow(string name, JsonArray nodes, JsonObject connections, JsonObject settings)
    {
        var now = TimeProvider.GetUtcNow();
        var workflow = new StoredWorkflow($"wf{_nextWorkflow++:D14}", name, nodes, connections, settings, now, NextVersionId());
        _workflows[workflow.Id] = workflow;
        return workflow;
    }

    private void Activate(StoredWorkflow workflow)
    {
        if (workflow.Active)
        {
            return;
        }

        workflow.Active = true;
        workflow.ActiveVersionId = workflow.VersionId;
        workflow.PublishHistory.Add(("activated", workflow.VersionId, TimeProvider.GetUtcNow()));
    }

    private string NextVersionId() => new Guid((int)_nextVersion++, 0, 0, new byte[8]).ToString();

    private static bool IsTriggerNode(JsonObject node)
    {
        var type = node["type"]?.GetValue<string>() ?? "";
        return type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase) || type is "n8n-nodes-base.webhook" or "n8n-nodes-base.cron" or "n8n-nodes-base.interval";
    }

    private static IEnumerable<(string Method, string Path)> WebhookNodes(StoredWorkflow workflow) =>
        workflow.Nodes.OfType<JsonObject>()
            .Where(n => n["type"]?.GetValue<string>() == "n8n-nodes-base.webhook" && n["disabled"]?.GetValue<bool>() != true)
            .Select(n => (
                (n["parameters"]?["httpMethod"]?.GetValue<string>() ?? "GET").ToUpperInvariant(),
                (n["parameters"]?["path"]?.GetValue<string>() ?? "").Trim('/')));

    private JsonObject Serialize(StoredWorkflow workflow, bool includeShared)
    {
        var body = new JsonObject
        {
            ["id"] = workflow.Id,
            ["name"] = workflow.Name,
            ["description"] = null,
            ["active"] = workflow.Active,
            ["activeVersionId"] = workflow.ActiveVersionId,
            ["createdAt"] = Timestamp(workflow.CreatedAt),
            ["updatedAt"] = Timestamp(workflow.UpdatedAt),
            ["isArchived"] = false,
            ["versionId"] = workflow.VersionId,
            ["versionCounter"] = workflow.VersionCounter,
            ["sourceWorkflowId"] = null,
            ["triggerCount"] = workflow.Active ? workflow.Nodes.OfType<JsonObject>().Count(IsTriggerNode) : 0,
            ["nodes"] = workflow.Nodes.DeepClone(),
            ["connections"] = workflow.Connections.DeepClone(),
            ["nodeGroups"] = new JsonArray(),
            ["settings"] = workflow.Settings.DeepClone(),
            ["staticData"] = null,
            ["meta"] = null,
            ["tags"] = new JsonArray(),
            ["activeVersion"] = workflow.Active ? ActiveVersion(workflow) : null,
        };
        if (includeShared)
        {
            body["shared"] = new JsonArray();
        }

        return body;
    }

    private JsonObject ActiveVersion(StoredWorkflow workflow) => new()
    {
        ["versionId"] = workflow.ActiveVersionId,
        ["workflowId"] = workflow.Id,
        ["nodes"] = workflow.Nodes.DeepClone(),
        ["connections"] = workflow.Connections.DeepClone(),
        ["nodeGroups"] = new JsonArray(),
        ["authors"] = "Autopilot Simulator",
        ["name"] = workflow.Name,
        ["description"] = null,
        ["autosaved"] = false,
        ["createdAt"] = Timestamp(workflow.UpdatedAt),
        ["updatedAt"] = Timestamp(workflow.UpdatedAt),
        ["workflowPublishHistory"] = new JsonArray(workflow.PublishHistory.Select((entry, index) => (JsonNode)new JsonObject
        {
            ["id"] = index + 1,
            ["workflowId"] = workflow.Id,
            ["versionId"] = entry.VersionId,
            ["event"] = entry.Event,
            ["userId"] = null,
            ["createdAt"] = Timestamp(entry.At),
        }).ToArray()),
    };

    private static JsonObject Serialize(N8nFakeExecution execution, bool includeData)
    {
        var body = new JsonObject
        {
            ["id"] = execution.Id.ToString(CultureInfo.InvariantCulture),
            ["finished"] = execution.Status == "success",
            ["mode"] = execution.Mode,
            ["retryOf"] = execution.RetryOf?.ToString(CultureInfo.InvariantCulture),
            ["retrySuccessId"] = execution.RetrySuccessId?.ToString(CultureInfo.InvariantCulture),
            ["status"] = execution.Status,
            ["createdAt"] = Timestamp(execution.StartedAt),
            ["startedAt"] = Timestamp(execution.StartedAt),
            ["stoppedAt"] = execution.StoppedAt is { } stopped ? Timestamp(stopped) : null,
            ["deletedAt"] = null,
            ["workflowId"] = execution.WorkflowId,
            ["waitTill"] = null,
            ["storedAt"] = "db",
            ["tracingContext"] = null,
            ["deduplicationKey"] = null,
            ["jsonSizeBytes"] = 0,
            ["binaryDataSizeBytes"] = 0,
            ["workflowVersionId"] = null,
            ["usedPrivateCredentials"] = false,
        };
        if (includeData)
        {
            body["data"] = new JsonObject();
            body["workflowData"] = new JsonObject { ["id"] = execution.WorkflowId };
            body["customData"] = new JsonObject();
        }

        return body;
    }

    private static string RouteId(HttpContext context) => (string?)context.GetRouteValue("id") ?? "";

    private static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static (int, JsonNode) Error(int status, string message) => (status, new JsonObject { ["message"] = message });

    private static async Task WriteAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString(PlainJson), context.RequestAborted);
    }

    /// <summary>A workflow's mutable state inside the fake (guarded by the fake's lock).</summary>
    private sealed class StoredWorkflow(string id, string name, JsonArray nodes, JsonObject connections, JsonObject settings, DateTimeOffset createdAt, string versionId)
    {
        public string Id { get; } = id;
        public string Name { get; set; } = name;
        public JsonArray Nodes { get; set; } = nodes;
        public JsonObject Connections { get; set; } = connections;
        public JsonObject Settings { get; set; } = settings;
        public DateTimeOffset CreatedAt { get; } = createdAt;
        public DateTimeOffset UpdatedAt { get; set; } = createdAt;
        public string VersionId { get; set; } = versionId;
        public int VersionCounter { get; set; } = 1;
        public bool Active { get; set; }
        public string? ActiveVersionId { get; set; }
        public List<(string Event, string VersionId, DateTimeOffset At)> PublishHistory { get; } = [];
    }
}

/// <summary>The n8n releases <see cref="N8nFake"/> can play (their public API specs are in tests/…/N8n/Spec).</summary>
public enum N8nFakeVersion
{
    /// <summary>n8n 1.99.1.</summary>
    V1_99,

    /// <summary>n8n 2.41.3.</summary>
    V2_41,
}
