using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;
using Microsoft.Extensions.Logging;

namespace Autopilot.Platforms.N8n;

/// <summary>
/// Client for n8n's public REST API (<c>/api/v1</c>, authenticated by <c>X-N8N-API-KEY</c>) plus production
/// webhooks (<c>/webhook/{path}</c>), which are the only way the public API offers to start a workflow.
/// Every successful call returns its <see cref="PlatformCall"/> (status, duration, redacted snippet) so the
/// autopilot can judge n8n's health from real traffic; failures are typed <see cref="PlatformException"/>s
/// built from n8n's <c>{"message","hint"}</c> error body.
/// </summary>
/// <remarks>
/// Reads, updates and (de)activation are idempotent and retried on transient failures. Creating a workflow,
/// retrying an execution and calling a webhook each start something new, so they make exactly one attempt:
/// a timeout there is reported, never silently repeated.
/// </remarks>
public sealed class N8nClient
{
    private const int SnippetLength = 300;

    private readonly HttpClient _httpClient;
    private readonly Uri _apiAddress;
    private readonly Uri _webhookAddress;
    private readonly string _apiKey;
    private readonly Redactor _redactor;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly PlatformResilience _retrying;
    private readonly PlatformResilience _singleAttempt;
    private readonly Version _serverVersion;

    /// <summary>Creates a client; the API key is registered with <paramref name="redactor"/>.</summary>
    public N8nClient(HttpClient httpClient, N8nClientOptions options, Redactor redactor, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.BaseAddress);
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ApiKey, nameof(options));
        redactor.Register(options.ApiKey);
        var root = options.BaseAddress.AbsoluteUri.EndsWith('/') ? options.BaseAddress : new Uri(options.BaseAddress.AbsoluteUri + "/");
        _httpClient = httpClient;
        _apiAddress = new Uri(root, "api/v1/");
        _webhookAddress = new Uri(root, "webhook/");
        _apiKey = options.ApiKey;
        _redactor = redactor;
        _logger = logger;
        _timeProvider = timeProvider;
        var call = options.Call ?? PlatformCallOptions.Default;
        _retrying = new PlatformResilience(N8nPlatform.Name, call, timeProvider, redactor, logger);
        _serverVersion = options.ServerVersion ?? N8nClientOptions.N8n1;
        _singleAttempt = new PlatformResilience(N8nPlatform.Name, call with { MaxAttempts = 1 }, timeProvider, redactor, logger);
    }

    /// <summary>Lists one page of workflows (<c>GET /workflows</c>).</summary>
    public Task<PlatformResponse<N8nPage<N8nWorkflow>>> ListWorkflowsAsync(N8nWorkflowQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new N8nWorkflowQuery();
        var parameters = new List<(string, string?)>
        {
            ("active", query.Active?.ToString().ToLowerInvariant()),
            ("tags", query.Tags),
            ("name", query.Name),
        };
        AddPaging(parameters, query.Limit, query.Cursor);
        return ApiAsync(HttpMethod.Get, "workflows" + QueryString(parameters), null, "GET /workflows", _retrying, root => ReadPage(root, ReadWorkflow), cancellationToken);
    }

    /// <summary>Enumerates every workflow, following <c>nextCursor</c> from page to page.</summary>
    public IAsyncEnumerable<N8nWorkflow> ListAllWorkflowsAsync(N8nWorkflowQuery? query = null, CancellationToken cancellationToken = default) =>
        FollowCursorAsync(cursor => ListWorkflowsAsync((query ?? new N8nWorkflowQuery()) with { Cursor = cursor }, cancellationToken), query?.Cursor, cancellationToken);

    /// <summary>Reads one workflow (<c>GET /workflows/{id}</c>).</summary>
    public Task<PlatformResponse<N8nWorkflow>> GetWorkflowAsync(string id, CancellationToken cancellationToken = default) =>
        ApiAsync(HttpMethod.Get, $"workflows/{Segment(id)}", null, "GET /workflows/{id}", _retrying, ReadWorkflow, cancellationToken);

    /// <summary>Creates a workflow (<c>POST /workflows</c>); it starts inactive. Single attempt.</summary>
    public Task<PlatformResponse<N8nWorkflow>> CreateWorkflowAsync(N8nWorkflowDefinition definition, CancellationToken cancellationToken = default) =>
        ApiAsync(HttpMethod.Post, "workflows", DefinitionBody(definition), "POST /workflows", _singleAttempt, ReadWorkflow, cancellationToken);

    /// <summary>Replaces a workflow's definition (<c>PUT /workflows/{id}</c>).</summary>
    public Task<PlatformResponse<N8nWorkflow>> UpdateWorkflowAsync(string id, N8nWorkflowDefinition definition, CancellationToken cancellationToken = default) =>
        ApiAsync(HttpMethod.Put, $"workflows/{Segment(id)}", DefinitionBody(definition), "PUT /workflows/{id}", _retrying, ReadWorkflow, cancellationToken);

    /// <summary>Activates a workflow's triggers (<c>POST /workflows/{id}/activate</c>).</summary>
    public Task<PlatformResponse<N8nWorkflow>> ActivateWorkflowAsync(string id, CancellationToken cancellationToken = default) =>
        ApiAsync(HttpMethod.Post, $"workflows/{Segment(id)}/activate", null, "POST /workflows/{id}/activate", _retrying, ReadWorkflow, cancellationToken);

    /// <summary>Deactivates a workflow's triggers (<c>POST /workflows/{id}/deactivate</c>).</summary>
    public Task<PlatformResponse<N8nWorkflow>> DeactivateWorkflowAsync(string id, CancellationToken cancellationToken = default) =>
        ApiAsync(HttpMethod.Post, $"workflows/{Segment(id)}/deactivate", null, "POST /workflows/{id}/deactivate", _retrying, ReadWorkflow, cancellationToken);

    /// <summary>Lists one page of executions, newest first (<c>GET /executions</c>).</summary>
    public Task<PlatformResponse<N8nPage<N8nExecution>>> ListExecutionsAsync(N8nExecutionQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new N8nExecutionQuery();
        // Only send a status filter the server's release accepts (n8n 1.99: error, success, waiting; a 400
        // otherwise); any other status is filtered here, on the page the server returns.
        var serverFilters = query.Status is { } wanted && ServerAcceptsStatusFilter(wanted);
        var parameters = new List<(string, string?)>
        {
            ("status", serverFilters ? StatusText(query.Status!.Value) : null),
            ("workflowId", query.WorkflowId),
            ("includeData", query.IncludeData ? "true" : null),
        };
        AddPaging(parameters, query.Limit, query.Cursor);
        var localStatus = query.Status is { } status && !serverFilters ? status : (N8nExecutionStatus?)null;
        return ApiAsync(HttpMethod.Get, "executions" + QueryString(parameters), null, "GET /executions", _retrying, root =>
        {
            var page = ReadPage(root, ReadExecution);
            return localStatus is { } only ? page with { Items = page.Items.Where(e => e.Status == only).ToArray() } : page;
        }, cancellationToken);
    }

    private bool ServerAcceptsStatusFilter(N8nExecutionStatus status) =>
        _serverVersion.Major >= 2 || status is N8nExecutionStatus.Error or N8nExecutionStatus.Success or N8nExecutionStatus.Waiting;

    /// <summary>Enumerates every matching execution, following <c>nextCursor</c>.</summary>
    public IAsyncEnumerable<N8nExecution> ListAllExecutionsAsync(N8nExecutionQuery? query = null, CancellationToken cancellationToken = default) =>
        FollowCursorAsync(cursor => ListExecutionsAsync((query ?? new N8nExecutionQuery()) with { Cursor = cursor }, cancellationToken), query?.Cursor, cancellationToken);

    /// <summary>Reads one execution (<c>GET /executions/{id}</c>).</summary>
    public Task<PlatformResponse<N8nExecution>> GetExecutionAsync(string id, bool includeData = false, CancellationToken cancellationToken = default) =>
        ApiAsync(HttpMethod.Get, $"executions/{Segment(id)}{(includeData ? "?includeData=true" : "")}", null, "GET /executions/{id}", _retrying, ReadExecution, cancellationToken);

    /// <summary>
    /// Retries a failed execution (<c>POST /executions/{id}/retry</c>, offered by n8n 2.x; a 1.x server
    /// answers 404). Returns the new execution. Single attempt.
    /// </summary>
    /// <param name="id">The failed execution.</param>
    /// <param name="loadWorkflow">Run the currently saved workflow instead of the version that failed.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<PlatformResponse<N8nExecution>> RetryExecutionAsync(string id, bool loadWorkflow = false, CancellationToken cancellationToken = default) =>
        ApiAsync(HttpMethod.Post, $"executions/{Segment(id)}/retry", new JsonObject { ["loadWorkflow"] = loadWorkflow }, "POST /executions/{id}/retry", _singleAttempt, ReadExecution, cancellationToken);

    /// <summary>
    /// Starts a workflow through its production webhook (<c>{method} /webhook/{path}</c>). The API key is not
    /// sent: webhooks have their own authentication, configured in the workflow. Single attempt.
    /// </summary>
    /// <param name="path">The webhook node's path, e.g. <c>deploy-done</c> (may contain '/').</param>
    /// <param name="payload">JSON body; null sends none.</param>
    /// <param name="method">HTTP method the webhook listens on; POST when null.</param>
    /// <param name="cancellationToken">Cancels the call (also what ends a webhook that never answers).</param>
    public async Task<N8nWebhookResponse> TriggerWebhookAsync(string path, JsonNode? payload = null, HttpMethod? method = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var relative = string.Join('/', path.Trim('/').Split('/').Select(Segment));
        var operation = $"{(method ?? HttpMethod.Post).Method} /webhook/{{path}}";
        var (call, body) = await _singleAttempt.ExecuteAsync(
            attemptToken => SendAsync(method ?? HttpMethod.Post, new Uri(_webhookAddress, relative), payload, authenticate: false, operation, attemptToken),
            cancellationToken).ConfigureAwait(false);
        return new N8nWebhookResponse(call, body);
    }

    private async Task<PlatformResponse<T>> ApiAsync<T>(
        HttpMethod method,
        string relative,
        JsonNode? payload,
        string operation,
        PlatformResilience resilience,
        Func<JsonElement, T> read,
        CancellationToken cancellationToken) =>
        await resilience.ExecuteAsync(async attemptToken =>
        {
            var (call, body) = await SendAsync(method, new Uri(_apiAddress, relative), payload, authenticate: true, operation, attemptToken).ConfigureAwait(false);
            try
            {
                using var document = JsonDocument.Parse(body);
                return new PlatformResponse<T>(read(document.RootElement), call);
            }
            catch (Exception exception) when (exception is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
            {
                throw new PlatformRequestException(N8nPlatform.Name, $"n8n {operation} returned a body we cannot read: {call.BodySnippet}", call.StatusCode);
            }
        }, cancellationToken).ConfigureAwait(false);

    /// <summary>One exchange: sends, times, logs the redacted call, and throws a typed error for non-2xx.</summary>
    private async ValueTask<(PlatformCall Call, string Body)> SendAsync(HttpMethod method, Uri uri, JsonNode? payload, bool authenticate, string operation, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, uri);
        if (authenticate)
        {
            request.Headers.Add(N8nPlatform.ApiKeyHeader, _apiKey);
        }

        if (payload is not null)
        {
            request.Content = new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json");
        }

        var started = _timeProvider.GetTimestamp();
        using var response = await _httpClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var call = new PlatformCall(N8nPlatform.Name, operation, (int)response.StatusCode, _timeProvider.GetElapsedTime(started), _redactor.Snippet(body, SnippetLength));
        _logger.LogDebug("{Platform} {Operation} answered {StatusCode} in {Duration}: {Body}", call.Platform, call.Operation, call.StatusCode, call.Duration, call.BodySnippet);
        if (!response.IsSuccessStatusCode)
        {
            throw ToException(response, body, call);
        }

        return (call, body);
    }

    private PlatformException ToException(HttpResponseMessage response, string body, PlatformCall call)
    {
        var (message, hint) = ReadError(body);
        var text = _redactor.Redact(
            $"n8n {call.Operation} failed with {call.StatusCode}: {message ?? call.BodySnippet}{(hint is null ? "" : $" (hint: {hint})")}");
        var status = call.StatusCode;
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new PlatformAuthenticationException(N8nPlatform.Name, text, status),
            HttpStatusCode.TooManyRequests => new PlatformRateLimitedException(N8nPlatform.Name, text, status, RetryAfterHeader.Read(response.Headers, _timeProvider)),
            HttpStatusCode.RequestTimeout => new PlatformUnavailableException(N8nPlatform.Name, text, status),
            _ when status >= 500 => new PlatformUnavailableException(N8nPlatform.Name, text, status, RetryAfterHeader.Read(response.Headers, _timeProvider)),
            _ => new PlatformRequestException(N8nPlatform.Name, text, status),
        };
    }

    private static (string? Message, string? Hint) ReadError(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object ? (Text(root, "message"), Text(root, "hint")) : (null, null);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static async IAsyncEnumerable<T> FollowCursorAsync<T>(
        Func<string?, Task<PlatformResponse<N8nPage<T>>>> fetch,
        string? cursor,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = (await fetch(cursor).ConfigureAwait(false)).Value;
            foreach (var item in page.Items)
            {
                yield return item;
            }

            cursor = page.NextCursor;
        }
        while (!string.IsNullOrEmpty(cursor));
    }

    private static JsonObject DefinitionBody(N8nWorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentException.ThrowIfNullOrWhiteSpace(definition.Name, nameof(definition));
        return new JsonObject
        {
            ["name"] = definition.Name,
            ["nodes"] = JsonNode.Parse(definition.Nodes.GetRawText()),
            ["connections"] = JsonNode.Parse(definition.Connections.GetRawText()),
            ["settings"] = JsonNode.Parse(definition.Settings.GetRawText()),
        };
    }

    private static void AddPaging(List<(string, string?)> parameters, int? limit, string? cursor)
    {
        if (limit is < 1 or > 250)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "n8n pages hold 1 to 250 items.");
        }

        parameters.Add(("limit", limit?.ToString(CultureInfo.InvariantCulture)));
        parameters.Add(("cursor", cursor));
    }

    private static string QueryString(IEnumerable<(string Name, string? Value)> parameters)
    {
        var present = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToArray();
        return present.Length == 0 ? "" : "?" + string.Join('&', present);
    }

    private static string Segment(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        return Uri.EscapeDataString(value);
    }

    private static N8nPage<T> ReadPage<T>(JsonElement root, Func<JsonElement, T> read) => new(
        root.GetProperty("data").EnumerateArray().Select(read).ToArray(),
        Text(root, "nextCursor"));

    private static N8nWorkflow ReadWorkflow(JsonElement workflow) => new(
        Id(workflow, "id") ?? throw new FormatException("workflow without id"),
        Text(workflow, "name") ?? "",
        workflow.TryGetProperty("active", out var active) && active.ValueKind == JsonValueKind.True,
        Text(workflow, "versionId"),
        Time(workflow, "createdAt"),
        Time(workflow, "updatedAt"),
        workflow.TryGetProperty("nodes", out var nodes) ? nodes.Clone() : default,
        workflow.TryGetProperty("connections", out var connections) ? connections.Clone() : default,
        workflow.TryGetProperty("settings", out var settings) ? settings.Clone() : default);

    private static N8nExecution ReadExecution(JsonElement execution) => new(
        Id(execution, "id") ?? throw new FormatException("execution without id"),
        Id(execution, "workflowId") ?? "",
        ParseStatus(Text(execution, "status")),
        Text(execution, "mode") ?? "",
        execution.TryGetProperty("finished", out var finished) && finished.ValueKind == JsonValueKind.True,
        Time(execution, "startedAt"),
        Time(execution, "stoppedAt"),
        Id(execution, "retryOf"),
        Id(execution, "retrySuccessId"));

    private static string StatusText(N8nExecutionStatus status) =>
        status == N8nExecutionStatus.Unknown ? "unknown" : status.ToString().ToLowerInvariant();

    private static N8nExecutionStatus ParseStatus(string? status) =>
        Enum.TryParse<N8nExecutionStatus>(status, ignoreCase: true, out var parsed) ? parsed : N8nExecutionStatus.Unknown;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Ids are numbers in the 1.x spec and strings in 2.x; both are read as text.</summary>
    private static string? Id(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    private static DateTimeOffset? Time(JsonElement element, string name) =>
        Text(element, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
}
