using System.Text.Json;

namespace Autopilot.Platforms.N8n;

/// <summary>
/// A workflow as the public API returns it. The graph (<see cref="Nodes"/>, <see cref="Connections"/>,
/// <see cref="Settings"/>) is kept as immutable JSON: the autopilot moves workflows around and inspects a few
/// fields, it does not need a typed model of every n8n node.
/// </summary>
/// <param name="Id">Workflow id.</param>
/// <param name="Name">Display name.</param>
/// <param name="Active">Whether its triggers (webhooks, schedules) are live.</param>
/// <param name="VersionId">Id of the saved version, when the server reports one.</param>
/// <param name="CreatedAt">Creation time, when reported.</param>
/// <param name="UpdatedAt">Last change, when reported.</param>
/// <param name="Nodes">The <c>nodes</c> array.</param>
/// <param name="Connections">The <c>connections</c> object.</param>
/// <param name="Settings">The <c>settings</c> object (may be JSON null).</param>
public sealed record N8nWorkflow(
    string Id,
    string Name,
    bool Active,
    string? VersionId,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt,
    JsonElement Nodes,
    JsonElement Connections,
    JsonElement Settings)
{
    /// <summary>The definition part, e.g. to copy the workflow to another instance.</summary>
    public N8nWorkflowDefinition ToDefinition() => new(Name, Nodes, Connections, Settings.ValueKind == JsonValueKind.Object ? Settings : N8nWorkflowDefinition.EmptySettings);
}

/// <summary>
/// What the API accepts when creating or replacing a workflow: exactly <c>name</c>, <c>nodes</c>,
/// <c>connections</c> and <c>settings</c> (the schema forbids other properties, such as <c>active</c>).
/// </summary>
/// <param name="Name">Display name.</param>
/// <param name="Nodes">JSON array of nodes.</param>
/// <param name="Connections">JSON object of connections.</param>
/// <param name="Settings">JSON object of settings (may be empty).</param>
public sealed record N8nWorkflowDefinition(string Name, JsonElement Nodes, JsonElement Connections, JsonElement Settings)
{
    /// <summary>An empty <c>settings</c> object.</summary>
    public static JsonElement EmptySettings { get; } = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>Builds a definition from JSON text of nodes and connections, with optional settings.</summary>
    /// <exception cref="ArgumentException">The JSON is not an array (nodes) or object (connections, settings).</exception>
    public static N8nWorkflowDefinition FromJson(string name, string nodesJson, string connectionsJson, string? settingsJson = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new N8nWorkflowDefinition(
            name,
            Parse(nodesJson, JsonValueKind.Array, "nodes"),
            Parse(connectionsJson, JsonValueKind.Object, "connections"),
            settingsJson is null ? EmptySettings : Parse(settingsJson, JsonValueKind.Object, "settings"));
    }

    private static JsonElement Parse(string json, JsonValueKind kind, string what)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == kind
                ? document.RootElement.Clone()
                : throw new ArgumentException($"Workflow {what} must be a JSON {kind.ToString().ToLowerInvariant()}.", what);
        }
        catch (JsonException exception)
        {
            throw new ArgumentException($"Workflow {what} is not valid JSON: {exception.Message}", what);
        }
    }
}

/// <summary>Execution states n8n reports (and accepts as the <c>status</c> filter).</summary>
public enum N8nExecutionStatus
{
    /// <summary>A status this client does not know (newer server).</summary>
    Unknown,

    /// <summary>Queued, not yet running.</summary>
    New,

    /// <summary>Running now.</summary>
    Running,

    /// <summary>Finished successfully.</summary>
    Success,

    /// <summary>Failed with an error.</summary>
    Error,

    /// <summary>Died without recording a result (process crash, out of memory).</summary>
    Crashed,

    /// <summary>Stopped by a user or timeout.</summary>
    Canceled,

    /// <summary>Paused in a Wait node.</summary>
    Waiting,
}

/// <summary>One run of a workflow.</summary>
/// <param name="Id">Execution id (a number on 1.x servers, a string on 2.x; always text here).</param>
/// <param name="WorkflowId">The workflow that ran.</param>
/// <param name="Status">Outcome so far.</param>
/// <param name="Mode">What started it: <c>webhook</c>, <c>trigger</c>, <c>retry</c>, <c>manual</c>, …</param>
/// <param name="Finished">Whether it ran to completion.</param>
/// <param name="StartedAt">Start, or null while queued.</param>
/// <param name="StoppedAt">End, or null while running.</param>
/// <param name="RetryOf">The execution this one retried, if any.</param>
/// <param name="RetrySuccessId">The retry that later succeeded, if any.</param>
public sealed record N8nExecution(
    string Id,
    string WorkflowId,
    N8nExecutionStatus Status,
    string Mode,
    bool Finished,
    DateTimeOffset? StartedAt,
    DateTimeOffset? StoppedAt,
    string? RetryOf,
    string? RetrySuccessId);

/// <summary>One page of a cursor-paged list.</summary>
/// <typeparam name="T">Item type.</typeparam>
/// <param name="Items">Items on this page.</param>
/// <param name="NextCursor">Pass as the next query's cursor; null on the last page.</param>
public sealed record N8nPage<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>Filters for listing workflows.</summary>
/// <param name="Active">Only active (true) or inactive (false) workflows.</param>
/// <param name="Tags">Comma-separated tag names.</param>
/// <param name="Name">Exact workflow name.</param>
/// <param name="Limit">Page size, 1–250.</param>
/// <param name="Cursor">Cursor from a previous page.</param>
public sealed record N8nWorkflowQuery(bool? Active = null, string? Tags = null, string? Name = null, int? Limit = null, string? Cursor = null);

/// <summary>Filters for listing executions.</summary>
/// <param name="Status">Only executions in this state.</param>
/// <param name="WorkflowId">Only executions of this workflow.</param>
/// <param name="IncludeData">Include run data (large).</param>
/// <param name="Limit">Page size, 1–250.</param>
/// <param name="Cursor">Cursor from a previous page.</param>
public sealed record N8nExecutionQuery(N8nExecutionStatus? Status = null, string? WorkflowId = null, bool IncludeData = false, int? Limit = null, string? Cursor = null);

/// <summary>The answer of a webhook call that succeeded (2xx).</summary>
/// <param name="Call">Status, duration and redacted snippet.</param>
/// <param name="Body">The response body as sent by the workflow (its data, not a log line: not redacted).</param>
public sealed record N8nWebhookResponse(Http.PlatformCall Call, string Body);
