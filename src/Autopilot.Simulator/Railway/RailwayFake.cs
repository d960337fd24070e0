using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Autopilot.Platforms.Railway;
using Autopilot.Simulator.Hosting;
using Autopilot.Simulator.Railway.GraphQL;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Simulator.Railway;

/// <summary>
/// A Railway look-alike speaking GraphQL over HTTP at <c>/graphql/v2</c>: it parses and validates the
/// documents it receives, keeps projects, services and deployments in memory, walks deployments through the real
/// status enum on its clock, can be scripted to fail builds, crash, hang or rate-limit, and records every call.
/// </summary>
/// <remarks>
/// Wire behaviour copied from Railway: auth failures are HTTP 200 with <c>data: null</c> and a "Not Authorized"
/// error; unparsable documents are HTTP 400 <c>GRAPHQL_PARSE_FAILED</c>; documents naming fields, arguments or
/// variables that do not exist are HTTP 400 <c>GRAPHQL_VALIDATION_FAILED</c>; rate limits are HTTP 429 with
/// Retry-After. Deployment behaviour: a new deployment takes the next script queued for its service (default:
/// succeed); a rollback re-runs the target's image and therefore its script; when a deployment reaches SUCCESS
/// the service instance's previous deployment becomes REMOVED.
/// </remarks>
public sealed class RailwayFake : FakeServer
{
    /// <summary>Path of the GraphQL endpoint, as on backboard.railway.com.</summary>
    public const string GraphQLPath = "/graphql/v2";

    private readonly RailwayWorld _world;
    private readonly ConcurrentDictionary<string, RailwayCaller> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RailwayFakeCall> _calls = new();
    private readonly ConcurrentQueue<(string RootField, AnswerHold Hold)> _holds = new();

    /// <summary>Creates an empty Railway whose deployments progress on <paramref name="timeProvider"/>.</summary>
    public RailwayFake(TimeProvider timeProvider, RailwayFakeOptions? options = null) : base(timeProvider) =>
        _world = new RailwayWorld(timeProvider, options ?? RailwayFakeOptions.Default);

    /// <summary>The URL a client should use as its endpoint.</summary>
    public Uri Endpoint => new(BaseAddress, GraphQLPath.TrimStart('/'));

    /// <summary>Every GraphQL call received, in order.</summary>
    public IReadOnlyList<RailwayFakeCall> Calls => _calls.ToArray();

    /// <summary>Accepts <paramref name="token"/> as an account/workspace token (sent as <c>Authorization: Bearer</c>).</summary>
    public void AddAccountToken(string token) => _tokens[token] = new RailwayCaller(ProjectScope: null);

    /// <summary>Accepts <paramref name="token"/> as a project token for <paramref name="projectId"/> (sent as <c>Project-Access-Token</c>).</summary>
    public void AddProjectToken(string token, string projectId) => _tokens[token] = new RailwayCaller(projectId);

    /// <summary>Creates a project; returns its id.</summary>
    public string AddProject(string name) => _world.AddProject(name);

    /// <summary>Creates an environment in a project; returns its id.</summary>
    public string AddEnvironment(string projectId, string name) => _world.AddEnvironment(projectId, name);

    /// <summary>Creates a service whose repository head is <paramref name="headCommit"/>; returns its id.</summary>
    public string AddService(string projectId, string name, string headCommit = "0123456789abcdef0123456789abcdef01234567") =>
        _world.AddService(projectId, name, headCommit);

    /// <summary>Shortcut: a project with a "production" environment and one service.</summary>
    public RailwayFakeService AddServiceWithProject(string serviceName)
    {
        var projectId = AddProject($"{serviceName}-project");
        return new RailwayFakeService(projectId, AddEnvironment(projectId, "production"), AddService(projectId, serviceName));
    }

    /// <summary>Creates a deployment that already finished in <paramref name="status"/> (history for rollbacks and listings).</summary>
    public string SeedDeployment(string serviceId, string environmentId, string commitHash, DeploymentStatus status, DateTimeOffset? createdAt = null) =>
        _world.SeedDeployment(serviceId, environmentId, commitHash, status, createdAt ?? TimeProvider.GetUtcNow());

    /// <summary>Makes the next deployment created for <paramref name="serviceId"/> follow <paramref name="script"/>; scripts queue up.</summary>
    public void ScriptNextDeployment(string serviceId, DeploymentScript script) => _world.ScriptNextDeployment(serviceId, script);

    /// <summary>Reports <paramref name="value"/> for a measurement of a service at every sample.</summary>
    public void SetMetric(string serviceId, RailwayMetricMeasurement measurement, double value) =>
        _world.SetMetric(serviceId, new RailwayEnumConverter<RailwayMetricMeasurement>().WireName(measurement), value);

    /// <summary>A snapshot of one deployment as of the fake's now, or null.</summary>
    public RailwayFakeDeployment? GetDeployment(string deploymentId) => _world.Snapshot(deploymentId);

    /// <summary>Snapshots of all deployments in creation order.</summary>
    public IReadOnlyList<RailwayFakeDeployment> Deployments => _world.Snapshots();

    /// <summary>The stored value of a variable, or null.</summary>
    public string? GetVariable(string projectId, string environmentId, string? serviceId, string name) =>
        _world.Variable(projectId, environmentId, serviceId, name);

    /// <summary>Answers the next <paramref name="times"/> requests with 429 and <c>Retry-After</c> in whole seconds.</summary>
    public void RespondRateLimited(TimeSpan retryAfter, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            EnqueueFault(async context =>
            {
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = ((long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await WriteJsonAsync(context, new JsonObject
                {
                    ["errors"] = new JsonArray(new JsonObject { ["message"] = "Rate limit exceeded. Please try again later." }),
                });
            });
        }
    }

    /// <summary>
    /// From now on, requests selecting <paramref name="rootField"/> (e.g. <c>deploymentRollback</c>) are applied as
    /// usual, but their answers wait until the returned hold is released, or until the caller disconnects.
    /// </summary>
    public AnswerHold HoldAnswersTo(string rootField)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootField);
        var hold = new AnswerHold();
        _holds.Enqueue((rootField, hold));
        return hold;
    }

    /// <inheritdoc />
    protected override void MapEndpoints(IEndpointRouteBuilder endpoints) => endpoints.MapPost(GraphQLPath, HandleAsync);

    private async Task HandleAsync(HttpContext context)
    {
        JsonObject request;
        try
        {
            request = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))?.AsObject()
                      ?? throw new JsonException("empty body");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            await RejectAsync(context, "BAD_REQUEST", "POST body must be a JSON object with a \"query\" string.");
            return;
        }

        var text = request["query"] is JsonValue q && q.TryGetValue<string>(out var query) ? query : null;
        var variables = request["variables"] as JsonObject ?? new JsonObject();
        var operationName = request["operationName"] is JsonValue n && n.TryGetValue<string>(out var name) ? name : null;
        var receivedAt = TimeProvider.GetUtcNow();
        if (text is null)
        {
            await RejectAsync(context, "BAD_REQUEST", "POST body must contain a \"query\" string.");
            return;
        }

        GraphQLDocument document;
        GraphQLOperation operation;
        try
        {
            document = GraphQLDocument.Parse(text);
            operation = document.SelectOperation(operationName);
        }
        catch (GraphQLSyntaxException e)
        {
            _calls.Enqueue(new RailwayFakeCall(operationName, null, [], (JsonObject)variables.DeepClone(), text, receivedAt));
            await RejectAsync(context, "GRAPHQL_PARSE_FAILED", e.Message, e.Line, e.Column);
            return;
        }

        var executor = new RailwayGraphQLExecutor(document, operation, variables);
        IReadOnlyList<GraphQLField> rootFields;
        try
        {
            rootFields = executor.RootFields;
            _calls.Enqueue(new RailwayFakeCall(operation.Name ?? operationName, operation.Type, rootFields.Select(f => f.Name).ToArray(),
                (JsonObject)variables.DeepClone(), text, receivedAt));
            executor.Validate();
        }
        catch (GraphQLValidationException e)
        {
            await RejectAsync(context, "GRAPHQL_VALIDATION_FAILED", e.Message, e.Line, e.Column);
            return;
        }

        var caller = Authenticate(context.Request);
        var (data, errors) = executor.Execute((field, arguments) => _world.Resolve(field.Name, arguments, caller));
        var response = new JsonObject { ["data"] = data };
        if (errors.Count > 0) response["errors"] = errors;
        foreach (var (field, hold) in _holds)
        {
            if (rootFields.Any(f => f.Name == field)) await hold.HoldAsync(context.RequestAborted);
        }
        await WriteJsonAsync(context, response);
    }

    private RailwayCaller? Authenticate(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && _tokens.TryGetValue(authorization["Bearer ".Length..].Trim(), out var account) && account.ProjectScope is null)
        {
            return account;
        }
        var projectToken = request.Headers["Project-Access-Token"].ToString();
        return projectToken.Length > 0 && _tokens.TryGetValue(projectToken, out var project) && project.ProjectScope is not null ? project : null;
    }

    private static Task RejectAsync(HttpContext context, string code, string message, int line = 0, int column = 0)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        var error = new JsonObject { ["message"] = message };
        if (line > 0) error["locations"] = new JsonArray(new JsonObject { ["line"] = line, ["column"] = column });
        error["extensions"] = new JsonObject { ["code"] = code };
        return WriteJsonAsync(context, new JsonObject { ["errors"] = new JsonArray(error) });
    }

    private static Task WriteJsonAsync(HttpContext context, JsonObject body)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString());
    }
}
