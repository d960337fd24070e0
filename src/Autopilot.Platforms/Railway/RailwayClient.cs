using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;
using Microsoft.Extensions.Logging;

namespace Autopilot.Platforms.Railway;

/// <summary>
/// Railway's public GraphQL API over HTTP. One POST per operation to the configured endpoint (with a
/// <c>?t=</c> unix-seconds parameter), the token in the header its kind requires, all values as GraphQL variables.
/// </summary>
public sealed class RailwayClient : IRailwayClient
{
    private const string Platform = "railway";

    private readonly HttpClient _http;
    private readonly RailwayClientOptions _options;
    private readonly TimeProvider _time;
    private readonly Redactor _redactor;
    private readonly ILogger _logger;
    private readonly PlatformResilience _resilience;

    /// <summary>Creates the client and registers the token with <paramref name="redactor"/>.</summary>
    public RailwayClient(HttpClient http, RailwayClientOptions options, TimeProvider timeProvider, Redactor redactor, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Token, nameof(options.Token));
        _http = http;
        _options = options;
        _time = timeProvider;
        _redactor = redactor;
        _logger = logger;
        _redactor.Register(options.Token);
        _resilience = new PlatformResilience(Platform, options.Call, timeProvider, redactor, logger);
    }

    /// <inheritdoc />
    public Task<string> DeployServiceAsync(string serviceId, string environmentId, string? commitSha, CancellationToken cancellationToken = default) =>
        ExecuteAsync("ServiceInstanceDeploy", RailwayDocuments.ServiceInstanceDeploy,
            new() { ["serviceId"] = Require(serviceId), ["environmentId"] = Require(environmentId), ["commitSha"] = commitSha },
            data => data.GetProperty("serviceInstanceDeployV2").GetString()!, cancellationToken);

    /// <inheritdoc />
    public Task<bool> RedeployServiceAsync(string serviceId, string environmentId, CancellationToken cancellationToken = default) =>
        ExecuteAsync("ServiceInstanceRedeploy", RailwayDocuments.ServiceInstanceRedeploy,
            new() { ["serviceId"] = Require(serviceId), ["environmentId"] = Require(environmentId) },
            data => data.GetProperty("serviceInstanceRedeploy").GetBoolean(), cancellationToken);

    /// <inheritdoc />
    public Task<RailwayDeployment> RedeployAsync(string deploymentId, bool usePreviousImageTag = false, CancellationToken cancellationToken = default) =>
        ExecuteAsync("DeploymentRedeploy", RailwayDocuments.DeploymentRedeploy,
            new() { ["id"] = Require(deploymentId), ["usePreviousImageTag"] = usePreviousImageTag },
            data => RailwayJson.ReadDeployment(data.GetProperty("deploymentRedeploy")), cancellationToken);

    /// <inheritdoc />
    public Task<RailwayDeployment> GetDeploymentAsync(string deploymentId, CancellationToken cancellationToken = default) =>
        ExecuteAsync("Deployment", RailwayDocuments.Deployment,
            new() { ["id"] = Require(deploymentId) },
            data => RailwayJson.ReadDeployment(data.GetProperty("deployment")), cancellationToken);

    /// <inheritdoc />
    public Task<RailwayDeploymentPage> ListDeploymentsAsync(DeploymentFilter filter, int first = 20, string? after = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(first, 1);
        return ExecuteAsync("Deployments", RailwayDocuments.Deployments,
            new() { ["input"] = ListInput(filter), ["first"] = first, ["after"] = after },
            data =>
            {
                var connection = data.GetProperty("deployments");
                var pageInfo = connection.GetProperty("pageInfo");
                return new RailwayDeploymentPage(
                    connection.GetProperty("edges").EnumerateArray().Select(e => RailwayJson.ReadDeployment(e.GetProperty("node"))).ToArray(),
                    pageInfo.TryGetProperty("endCursor", out var cursor) && cursor.ValueKind == JsonValueKind.String ? cursor.GetString() : null,
                    pageInfo.GetProperty("hasNextPage").GetBoolean());
            }, cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RailwayDeployment> ListAllDeploymentsAsync(
        DeploymentFilter filter, int pageSize = 50, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? after = null;
        while (true)
        {
            var page = await ListDeploymentsAsync(filter, pageSize, after, cancellationToken).ConfigureAwait(false);
            foreach (var deployment in page.Deployments) yield return deployment;
            // A server that claims more pages without a cursor would loop forever; stop instead.
            if (!page.HasNextPage || page.EndCursor is null || page.EndCursor == after) yield break;
            after = page.EndCursor;
        }
    }

    /// <inheritdoc />
    public async Task<RailwayDeployment?> FindLastSuccessfulDeploymentAsync(string serviceId, string environmentId, CancellationToken cancellationToken = default)
    {
        var filter = new DeploymentFilter
        {
            ServiceId = Require(serviceId),
            EnvironmentId = Require(environmentId),
            StatusIn = [DeploymentStatus.Success],
        };
        // Railway lists newest first; checking the status again guards against a server that ignores the filter.
        await foreach (var deployment in ListAllDeploymentsAsync(filter, pageSize: 5, cancellationToken).ConfigureAwait(false))
        {
            if (deployment.Status.IsHealthy()) return deployment;
        }
        return null;
    }

    /// <inheritdoc />
    public Task<bool> RollbackAsync(string deploymentId, CancellationToken cancellationToken = default) =>
        DeploymentMutationAsync("DeploymentRollback", RailwayDocuments.DeploymentRollback, "deploymentRollback", deploymentId, cancellationToken);

    /// <inheritdoc />
    public Task<bool> RestartAsync(string deploymentId, CancellationToken cancellationToken = default) =>
        DeploymentMutationAsync("DeploymentRestart", RailwayDocuments.DeploymentRestart, "deploymentRestart", deploymentId, cancellationToken);

    /// <inheritdoc />
    public Task<bool> StopAsync(string deploymentId, CancellationToken cancellationToken = default) =>
        DeploymentMutationAsync("DeploymentStop", RailwayDocuments.DeploymentStop, "deploymentStop", deploymentId, cancellationToken);

    /// <inheritdoc />
    public Task<bool> CancelAsync(string deploymentId, CancellationToken cancellationToken = default) =>
        DeploymentMutationAsync("DeploymentCancel", RailwayDocuments.DeploymentCancel, "deploymentCancel", deploymentId, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<RailwayLogLine>> GetBuildLogsAsync(string deploymentId, LogQuery? query = null, CancellationToken cancellationToken = default) =>
        LogsAsync("BuildLogs", RailwayDocuments.BuildLogs, "buildLogs", deploymentId, query, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<RailwayLogLine>> GetDeploymentLogsAsync(string deploymentId, LogQuery? query = null, CancellationToken cancellationToken = default) =>
        LogsAsync("DeploymentLogs", RailwayDocuments.DeploymentLogs, "deploymentLogs", deploymentId, query, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<RailwayMetricSeries>> GetMetricsAsync(MetricsQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Measurements.Count == 0) throw new ArgumentException("At least one measurement is required.", nameof(query));
        return ExecuteAsync<IReadOnlyList<RailwayMetricSeries>>("Metrics", RailwayDocuments.Metrics,
            new()
            {
                ["startDate"] = RailwayJson.UtcDateTime(query.StartDate),
                ["endDate"] = RailwayJson.UtcDateTime(query.EndDate),
                ["measurements"] = query.Measurements.Select(RailwayJson.WireName).ToArray(),
                ["projectId"] = query.ProjectId,
                ["environmentId"] = query.EnvironmentId,
                ["serviceId"] = query.ServiceId,
                ["sampleRateSeconds"] = query.SampleRateSeconds,
                ["averagingWindowSeconds"] = query.AveragingWindowSeconds,
            },
            data => data.GetProperty("metrics").EnumerateArray().Select(RailwayJson.ReadMetricSeries).ToArray(), cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> UpsertVariableAsync(VariableUpsert variable, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(variable);
        ArgumentNullException.ThrowIfNull(variable.Value);
        _redactor.Register(variable.Value);
        return ExecuteAsync("VariableUpsert", RailwayDocuments.VariableUpsert,
            new()
            {
                ["input"] = new Dictionary<string, object?>
                {
                    ["projectId"] = Require(variable.ProjectId),
                    ["environmentId"] = Require(variable.EnvironmentId),
                    ["serviceId"] = variable.ServiceId,
                    ["name"] = Require(variable.Name),
                    ["value"] = variable.Value,
                    ["skipDeploys"] = variable.SkipDeploys,
                },
            },
            data => data.GetProperty("variableUpsert").GetBoolean(), cancellationToken);
    }

    private Task<bool> DeploymentMutationAsync(string operation, string document, string field, string deploymentId, CancellationToken cancellationToken) =>
        ExecuteAsync(operation, document, new() { ["id"] = Require(deploymentId) },
            data => data.GetProperty(field).GetBoolean(), cancellationToken);

    private Task<IReadOnlyList<RailwayLogLine>> LogsAsync(
        string operation, string document, string field, string deploymentId, LogQuery? query, CancellationToken cancellationToken)
    {
        query ??= new LogQuery();
        if (query.Limit is < 1 or > 5000) throw new ArgumentOutOfRangeException(nameof(query), "Railway accepts a log limit between 1 and 5000.");
        return ExecuteAsync<IReadOnlyList<RailwayLogLine>>(operation, document,
            new()
            {
                ["deploymentId"] = Require(deploymentId),
                ["limit"] = query.Limit,
                ["filter"] = query.Filter,
                ["startDate"] = RailwayJson.UtcDateTime(query.StartDate),
                ["endDate"] = RailwayJson.UtcDateTime(query.EndDate),
            },
            data => data.GetProperty(field).EnumerateArray().Select(RailwayJson.ReadLogLine).ToArray(), cancellationToken);
    }

    private static Dictionary<string, object?> ListInput(DeploymentFilter filter)
    {
        var input = new Dictionary<string, object?>();
        if (filter.ProjectId is not null) input["projectId"] = filter.ProjectId;
        if (filter.EnvironmentId is not null) input["environmentId"] = filter.EnvironmentId;
        if (filter.ServiceId is not null) input["serviceId"] = filter.ServiceId;
        if (filter.IncludeDeleted is not null) input["includeDeleted"] = filter.IncludeDeleted;
        if (filter.StatusIn is not null || filter.StatusNotIn is not null)
        {
            var status = new Dictionary<string, object?>();
            if (filter.StatusIn is not null) status["in"] = filter.StatusIn.Select(RailwayJson.WireName).ToArray();
            if (filter.StatusNotIn is not null) status["notIn"] = filter.StatusNotIn.Select(RailwayJson.WireName).ToArray();
            input["status"] = status;
        }
        return input;
    }

    private static string Require(string value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, name);
        return value;
    }

    private Task<T> ExecuteAsync<T>(
        string operation, string document, Dictionary<string, object?> variables, Func<JsonElement, T> read, CancellationToken cancellationToken) =>
        _resilience.ExecuteAsync(ct => SendOnceAsync(operation, document, variables, read, ct), cancellationToken);

    private async ValueTask<T> SendOnceAsync<T>(
        string operation, string document, Dictionary<string, object?> variables, Func<JsonElement, T> read, CancellationToken cancellationToken)
    {
        var uri = new UriBuilder(_options.Endpoint) { Query = $"t={_time.GetUtcNow().ToUnixTimeSeconds()}" }.Uri;
        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = JsonContent.Create(new { query = document, variables, operationName = operation }, options: RailwayJson.Options),
        };
        if (_options.TokenKind == RailwayTokenKind.Project)
            request.Headers.Add("Project-Access-Token", _options.Token);
        else
            request.Headers.Authorization = new("Bearer", _options.Token);

        var started = _time.GetTimestamp();
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var call = new PlatformCall(Platform, operation, (int)response.StatusCode, _time.GetElapsedTime(started), _redactor.Snippet(body, _options.SnippetLength));
        _logger.LogDebug("Railway {Operation} answered {StatusCode} in {Duration}: {Body}", call.Operation, call.StatusCode, call.Duration, call.BodySnippet);

        var status = (int)response.StatusCode;
        if (status == (int)HttpStatusCode.TooManyRequests)
            throw new PlatformRateLimitedException(Platform, $"Railway rate limit hit during {operation}.", status, RetryAfterHeader.Read(response.Headers, _time));
        if (status >= 500 || status == (int)HttpStatusCode.RequestTimeout)
            throw new PlatformUnavailableException(Platform, $"Railway answered {status} to {operation}: {call.BodySnippet}", status, RetryAfterHeader.Read(response.Headers, _time));
        if (status is 401 or 403)
            throw new PlatformAuthenticationException(Platform, $"Railway refused the token for {operation} ({status}).", status);

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            // A non-JSON answer comes from something in front of Railway (proxy, CDN), not from the API itself.
            if (response.IsSuccessStatusCode)
                throw new PlatformUnavailableException(Platform, $"Railway answered {operation} with a non-JSON body: {call.BodySnippet}", status);
            throw new PlatformRequestException(Platform, $"Railway answered {status} to {operation}: {call.BodySnippet}", status);
        }

        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("errors", out var errors)
                && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                throw new RailwayGraphQLException(operation, status, errors.EnumerateArray().Select(ReadError).ToArray());
            }
            if (!response.IsSuccessStatusCode)
                throw new PlatformRequestException(Platform, $"Railway answered {status} to {operation}: {call.BodySnippet}", status);
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
                throw new PlatformRequestException(Platform, $"Railway answered {operation} without data: {call.BodySnippet}", status);
            return read(data);
        }
    }

    private RailwayGraphQLError ReadError(JsonElement error)
    {
        var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        var path = error.TryGetProperty("path", out var p) && p.ValueKind == JsonValueKind.Array
            ? p.EnumerateArray().Select(segment => segment.ToString()).ToArray()
            : [];
        var code = error.TryGetProperty("extensions", out var extensions) && extensions.ValueKind == JsonValueKind.Object
                   && extensions.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String
            ? c.GetString()
            : null;
        // Validation messages can quote variable values back at us, so they are redacted like any other text.
        return new RailwayGraphQLError(_redactor.Snippet(message ?? "(no message)", _options.SnippetLength), path, code);
    }
}
