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
/// Documents are parsed by GraphQL-Parser and validated and executed by graphql-dotnet against Railway's published
/// schema (<see cref="RailwaySchema"/>), so the fake accepts exactly what the schema accepts. Wire behaviour copied
/// from Railway: auth failures are HTTP 200 with <c>data: null</c> and a "Not Authorized" error; unparsable
/// documents are HTTP 400 <c>GRAPHQL_PARSE_FAILED</c>; documents naming fields, arguments or variables that do not
/// exist, or declaring variables they never use, are HTTP 400 <c>GRAPHQL_VALIDATION_FAILED</c>; a variable whose
/// value does not fit its type (<c>limit: "10"</c>, an enum value such as <c>"Success"</c>) is HTTP 400
/// <c>BAD_USER_INPUT</c> with a message naming the variable; rate limits are HTTP 429 with Retry-After. Deployment behaviour: a new deployment takes the next script queued for its service (default:
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

        GraphQLParser.AST.GraphQLDocument document;
        try
        {
            document = GraphQLParser.Parser.Parse(text);
        }
        catch (GraphQLParser.Exceptions.GraphQLSyntaxErrorException e)
        {
            _calls.Enqueue(new RailwayFakeCall(operationName, null, [], (JsonObject)variables.DeepClone(), text, receivedAt));
            await RejectAsync(context, "GRAPHQL_PARSE_FAILED", $"Syntax Error: {e.Description}", e.Location.Line, e.Location.Column);
            return;
        }

        var operation = SelectOperation(document, operationName);
        var rootFields = operation is null ? [] : RootFieldNames(document, operation.SelectionSet);
        _calls.Enqueue(new RailwayFakeCall(operation?.Name?.StringValue ?? operationName, operation is null ? null : OperationType(operation),
            rootFields, (JsonObject)variables.DeepClone(), text, receivedAt));

        var caller = Authenticate(context.Request);
        var result = await RailwaySchema.ExecuteAsync(RailwaySchema.Published, document, text, operationName, variables,
            (field, arguments) => _world.Resolve(field, arguments, caller), context.RequestAborted);
        var body = RailwaySchema.ToJson(result);
        var errors = result.Errors ?? [];
        if (errors.Count > 0 && !result.Executed)
        {
            // Refused before execution: 400 with Apollo-style codes. A variable of the wrong type or an unknown enum
            // value is the caller's input (BAD_USER_INPUT); anything else the document got wrong is a validation failure.
            var code = errors.Any(e => e is global::GraphQL.Validation.InvalidVariableError) ? "BAD_USER_INPUT"
                : errors.Any(e => e is global::GraphQL.Execution.SyntaxError) ? "GRAPHQL_PARSE_FAILED"
                : "GRAPHQL_VALIDATION_FAILED";
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await WriteJsonAsync(context, new JsonObject { ["errors"] = RewriteCodes(body["errors"]!.AsArray(), _ => code) });
            return;
        }
        if (body["errors"] is JsonArray fieldErrors)
        {
            body["errors"] = RewriteCodes(fieldErrors, i => errors[i].Code is { } c && !c.StartsWith("INVALID_OPERATION", StringComparison.Ordinal) && c != "EXECUTION_ERROR" ? c : null);
        }
        foreach (var (field, hold) in _holds)
        {
            if (rootFields.Contains(field)) await hold.HoldAsync(context.RequestAborted);
        }
        await WriteJsonAsync(context, body);
    }

    private static JsonArray RewriteCodes(JsonArray errors, Func<int, string?> code)
    {
        var rewritten = new JsonArray();
        for (var i = 0; i < errors.Count; i++)
        {
            var error = (JsonObject)errors[i]!.DeepClone();
            error.Remove("extensions");
            if (code(i) is { } c) error["extensions"] = new JsonObject { ["code"] = c };
            rewritten.Add(error);
        }
        return rewritten;
    }

    private static GraphQLParser.AST.GraphQLOperationDefinition? SelectOperation(GraphQLParser.AST.GraphQLDocument document, string? operationName)
    {
        var operations = document.Definitions.OfType<GraphQLParser.AST.GraphQLOperationDefinition>().ToArray();
        return string.IsNullOrEmpty(operationName)
            ? operations.Length == 1 ? operations[0] : null
            : operations.FirstOrDefault(o => o.Name?.StringValue == operationName);
    }

    private static GraphQLOperationType OperationType(GraphQLParser.AST.GraphQLOperationDefinition operation) => operation.Operation switch
    {
        GraphQLParser.AST.OperationType.Mutation => GraphQLOperationType.Mutation,
        GraphQLParser.AST.OperationType.Subscription => GraphQLOperationType.Subscription,
        _ => GraphQLOperationType.Query,
    };

    // The root fields an operation selects, through fragments (for call records and answer holds).
    private static string[] RootFieldNames(GraphQLParser.AST.GraphQLDocument document, GraphQLParser.AST.GraphQLSelectionSet selections, int depth = 0)
    {
        if (depth > 16) return [];
        var names = new List<string>();
        foreach (var selection in selections.Selections)
        {
            switch (selection)
            {
                case GraphQLParser.AST.GraphQLField field:
                    names.Add(field.Name.StringValue);
                    break;
                case GraphQLParser.AST.GraphQLInlineFragment inline:
                    names.AddRange(RootFieldNames(document, inline.SelectionSet, depth + 1));
                    break;
                case GraphQLParser.AST.GraphQLFragmentSpread spread:
                    var fragment = document.Definitions.OfType<GraphQLParser.AST.GraphQLFragmentDefinition>()
                        .FirstOrDefault(f => f.FragmentName.Name.StringValue == spread.FragmentName.Name.StringValue);
                    if (fragment is not null) names.AddRange(RootFieldNames(document, fragment.SelectionSet, depth + 1));
                    break;
            }
        }
        return names.ToArray();
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
