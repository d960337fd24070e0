using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Autopilot.Platforms.Railway;

namespace Autopilot.Simulator.Railway;

/// <summary>
/// The simulated Railway state: projects, environments, services, deployments (each walking its status
/// timeline on the fake's clock), logs, variables, metrics. All access happens under one lock; time-driven
/// transitions are applied lazily, in time order, whenever the state is touched, so no background timers are needed.
/// </summary>
internal sealed class RailwayWorld(TimeProvider time, RailwayFakeOptions options)
{
    private sealed record Project(string Id, string Name);

    private sealed record Environment(string Id, string ProjectId, string Name);

    private sealed record Service(string Id, string ProjectId, string Name, string HeadCommit);

    private sealed record LogLine(DateTimeOffset At, string Message, string? Severity);

    private sealed class Deployment
    {
        public required string Id { get; init; }
        public required long Sequence { get; init; }
        public required string ProjectId { get; init; }
        public required string EnvironmentId { get; init; }
        public required string ServiceId { get; init; }
        public required string CommitHash { get; init; }
        public required DateTimeOffset CreatedAt { get; init; }
        public required DeploymentScript Script { get; init; }
        public string? RollbackOf { get; init; }
        public DeploymentStatus Status { get; set; }
        public DateTimeOffset StatusUpdatedAt { get; set; }
        public bool EverSucceeded { get; set; }
        public bool Stopped { get; set; }
        public List<(DateTimeOffset At, DeploymentStatus Status)> Pending { get; } = [];
        public List<LogLine> BuildLog { get; } = [];
        public List<LogLine> DeployLog { get; } = [];
    }

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Project> _projects = [];
    private readonly Dictionary<string, Environment> _environments = [];
    private readonly Dictionary<string, Service> _services = [];
    private readonly Dictionary<string, Deployment> _deployments = [];
    private readonly Dictionary<string, Queue<DeploymentScript>> _nextScripts = [];
    private readonly Dictionary<(string ProjectId, string EnvironmentId, string? ServiceId, string Name), string> _variables = [];
    private readonly Dictionary<(string ServiceId, string Measurement), double> _metrics = [];
    private long _sequence;

    public string AddProject(string name)
    {
        lock (_gate)
        {
            var project = new Project(NewId(), name);
            _projects.Add(project.Id, project);
            return project.Id;
        }
    }

    public string AddEnvironment(string projectId, string name)
    {
        lock (_gate)
        {
            RequireProject(projectId);
            var environment = new Environment(NewId(), projectId, name);
            _environments.Add(environment.Id, environment);
            return environment.Id;
        }
    }

    public string AddService(string projectId, string name, string headCommit)
    {
        lock (_gate)
        {
            RequireProject(projectId);
            var service = new Service(NewId(), projectId, name, headCommit);
            _services.Add(service.Id, service);
            return service.Id;
        }
    }

    public void ScriptNextDeployment(string serviceId, DeploymentScript script)
    {
        lock (_gate)
        {
            RequireService(serviceId);
            if (!_nextScripts.TryGetValue(serviceId, out var queue)) _nextScripts[serviceId] = queue = new Queue<DeploymentScript>();
            queue.Enqueue(script);
        }
    }

    public string SeedDeployment(string serviceId, string environmentId, string commitHash, DeploymentStatus status, DateTimeOffset createdAt)
    {
        lock (_gate)
        {
            var service = RequireService(serviceId);
            RequireEnvironment(environmentId, service.ProjectId);
            var deployment = new Deployment
            {
                Id = NewId(),
                Sequence = ++_sequence,
                ProjectId = service.ProjectId,
                EnvironmentId = environmentId,
                ServiceId = serviceId,
                CommitHash = commitHash,
                CreatedAt = createdAt,
                Script = status == DeploymentStatus.Crashed ? DeploymentScript.Crash() : DeploymentScript.Succeed,
                Status = status,
                StatusUpdatedAt = createdAt,
                EverSucceeded = status is DeploymentStatus.Success or DeploymentStatus.Removed or DeploymentStatus.Crashed,
            };
            _deployments.Add(deployment.Id, deployment);
            return deployment.Id;
        }
    }

    public void SetMetric(string serviceId, string measurement, double value)
    {
        lock (_gate)
        {
            RequireService(serviceId);
            _metrics[(serviceId, measurement)] = value;
        }
    }

    public string? Variable(string projectId, string environmentId, string? serviceId, string name)
    {
        lock (_gate) return _variables.GetValueOrDefault((projectId, environmentId, serviceId, name));
    }

    public RailwayFakeDeployment? Snapshot(string deploymentId)
    {
        lock (_gate)
        {
            Settle();
            return _deployments.TryGetValue(deploymentId, out var d) ? ToSnapshot(d) : null;
        }
    }

    public IReadOnlyList<RailwayFakeDeployment> Snapshots()
    {
        lock (_gate)
        {
            Settle();
            return _deployments.Values.OrderBy(d => d.Sequence).Select(ToSnapshot).ToArray();
        }
    }

    /// <summary>Runs one root field for a caller; throws <see cref="GraphQLFieldException"/> for field-level errors.</summary>
    public JsonNode? Resolve(string field, IReadOnlyDictionary<string, JsonNode?> args, RailwayCaller? caller)
    {
        lock (_gate)
        {
            Settle();
            return field switch
            {
                "deployment" => DeploymentJson(AuthorisedDeployment(args, "id", caller)),
                "deployments" => ListDeployments(args, caller),
                "buildLogs" => Logs(AuthorisedDeployment(args, "deploymentId", caller).BuildLog, args),
                "deploymentLogs" => Logs(AuthorisedDeployment(args, "deploymentId", caller).DeployLog, args),
                "metrics" => Metrics(args, caller),
                "serviceInstanceDeployV2" => DeployService(args, caller),
                "serviceInstanceRedeploy" => RedeployService(args, caller),
                "deploymentRedeploy" => Redeploy(args, caller),
                "deploymentRollback" => Rollback(args, caller),
                "deploymentRestart" => Restart(args, caller),
                "deploymentStop" => Stop(args, caller),
                "deploymentCancel" => Cancel(args, caller),
                "variableUpsert" => UpsertVariable(args, caller),
                _ => throw new GraphQLFieldException($"RailwayFake does not implement {field}."),
            };
        }
    }

    // ---- queries ----

    private JsonObject ListDeployments(IReadOnlyDictionary<string, JsonNode?> args, RailwayCaller? caller)
    {
        if (caller is null) throw NotAuthorized();
        var input = args.GetValueOrDefault("input") as JsonObject ?? throw new GraphQLFieldException("input is required.");
        var projectId = (string?)input["projectId"];
        var environmentId = (string?)input["environmentId"];
        var serviceId = (string?)input["serviceId"];
        var statusIn = (input["status"] as JsonObject)?["in"]?.AsArray().Select(s => (string)s!).ToHashSet();
        var statusNotIn = (input["status"] as JsonObject)?["notIn"]?.AsArray().Select(s => (string)s!).ToHashSet();
        var first = OptionalInt(args, "first") ?? 100;
        var after = (string?)args.GetValueOrDefault("after");

        var matching = _deployments.Values
            .Where(d => caller.MayAccess(d.ProjectId))
            .Where(d => projectId is null || d.ProjectId == projectId)
            .Where(d => environmentId is null || d.EnvironmentId == environmentId)
            .Where(d => serviceId is null || d.ServiceId == serviceId)
            .Where(d => statusIn is null || statusIn.Contains(WireName(d.Status)))
            .Where(d => statusNotIn is null || !statusNotIn.Contains(WireName(d.Status)))
            .OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Sequence)
            .ToList();

        var start = 0;
        if (after is not null)
        {
            var index = matching.FindIndex(d => Cursor(d) == after);
            if (index < 0) throw new GraphQLFieldException("Invalid cursor.");
            start = index + 1;
        }
        var page = matching.Skip(start).Take(first).ToList();
        return new JsonObject
        {
            ["edges"] = new JsonArray(page.Select(d => (JsonNode)new JsonObject { ["cursor"] = Cursor(d), ["node"] = DeploymentJson(d) }).ToArray()),
            ["pageInfo"] = new JsonObject
            {
                ["hasNextPage"] = start + page.Count < matching.Count,
                ["hasPreviousPage"] = start > 0,
                ["startCursor"] = page.Count > 0 ? Cursor(page[0]) : null,
                ["endCursor"] = page.Count > 0 ? Cursor(page[^1]) : null,
            },
        };
    }

    private static JsonArray Logs(List<LogLine> lines, IReadOnlyDictionary<string, JsonNode?> args)
    {
        var limit = OptionalInt(args, "limit") ?? 100;
        if (limit is < 1 or > 5000) throw new GraphQLFieldException("limit must be between 1 and 5000.");
        var filter = (string?)args.GetValueOrDefault("filter");
        var startDate = OptionalDate(args, "startDate");
        var endDate = OptionalDate(args, "endDate");
        var selected = lines
            .Where(l => string.IsNullOrEmpty(filter) || l.Message.Contains(filter, StringComparison.OrdinalIgnoreCase))
            .Where(l => startDate is null || l.At >= startDate)
            .Where(l => endDate is null || l.At <= endDate)
            .TakeLast(limit);
        return new JsonArray(selected.Select(l => (JsonNode)new JsonObject
        {
            ["timestamp"] = l.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'", CultureInfo.InvariantCulture),
            ["message"] = l.Message,
            ["severity"] = l.Severity,
            ["attributes"] = new JsonArray(),
            ["tags"] = new JsonObject(),
        }).ToArray());
    }

    private JsonArray Metrics(IReadOnlyDictionary<string, JsonNode?> args, RailwayCaller? caller)
    {
        var serviceId = (string?)args.GetValueOrDefault("serviceId") ?? throw new GraphQLFieldException("RailwayFake needs serviceId for metrics.");
        var service = _services.GetValueOrDefault(serviceId) ?? throw new GraphQLFieldException("Service not found");
        if (caller is null || !caller.MayAccess(service.ProjectId)) throw NotAuthorized();
        var start = OptionalDate(args, "startDate") ?? throw new GraphQLFieldException("startDate is required.");
        var end = OptionalDate(args, "endDate") ?? time.GetUtcNow();
        var step = TimeSpan.FromSeconds(OptionalInt(args, "sampleRateSeconds") ?? 60);
        var measurements = args.GetValueOrDefault("measurements")?.AsArray().Select(m => (string)m!).ToArray() ?? [];
        var series = new JsonArray();
        foreach (var measurement in measurements)
        {
            if (!_metrics.TryGetValue((serviceId, measurement), out var value)) continue;
            var samples = new JsonArray();
            for (var at = start; at <= end && samples.Count < 1000; at += step)
                samples.Add(new JsonObject { ["ts"] = at.ToUnixTimeSeconds(), ["value"] = value });
            series.Add(new JsonObject
            {
                ["measurement"] = measurement,
                ["tags"] = new JsonObject { ["serviceId"] = serviceId, ["environmentId"] = (string?)args.GetValueOrDefault("environmentId") },
                ["values"] = samples,
            });
        }
        return series;
    }

    // ---- mutations ----

    private JsonNode DeployService(IReadOnlyDictionary<string, JsonNode?> args, RailwayCaller? caller)
    {
        var (service, environment) = AuthorisedServiceInstance(args, caller);
        var commit = (string?)args.GetValueOrDefault("commitSha") ?? service.HeadCommit;
        return StartDeployment(service, environment.Id, commit, NextScript(service.Id), rollbackOf: null).Id;
    }

    private JsonNode RedeployService(IReadOnlyDictionary<string, JsonNode?> args, RailwayCaller? caller)
    {
        var (service, environment) = AuthorisedServiceInstance(args, caller);
        var latest = _deployments.Values
            .Where(d => d.ServiceId == service.Id && d.EnvironmentId == environment.Id)
            .MaxBy(d => d.Sequence) ?? throw new GraphQLFieldException("No deployment found for this service instance");
        StartDeployment(service, environment.Id, latest.CommitHash, NextScript(service.Id), rollbackOf: null);
        return true;
    }

    private JsonNode Redeploy(IReadOnlyDictionary<string, JsonNode?> args, RailwayCaller? caller)
    {
        var source = AuthorisedDeployment(args, "id", caller);
        var created = StartDeployment(_services[source.ServiceId], source.EnvironmentId, source.CommitHash, NextScript(source.ServiceId), rollbackOf: null);
        return DeploymentJson(created);
    }

    private JsonNode Rollback(IReadOnlyDictionary<string, JsonNode?> args, RailwayCaller? caller)
    {
        var target = AuthorisedDeployment(args, "id", caller);
        if (!CanRollback(target)) throw new GraphQLFieldException("Cannot rollback to this deployment");
        // A rollback redeploys the target's image, so it behaves exactly as the target did.
        StartDeployment(_services[target.ServiceId], target.EnvironmentId, target.CommitHash, target.Script, rollbackOf: target.Id);
        return true;
    }

    private JsonNode Restart(IReadOnlyDictionary<string, JsonNode?> args, RailwayCaller? caller)
    {
        var deployment = AuthorisedDeployment(args, "id", caller);
        if (deployment.Status is not (DeploymentStatus.Success or DeploymentStatus.Crashed) || deployment.Stopped)
            throw new GraphQLFieldException("Deployment is not running");
        var now = time.GetUtcNow();
        deployment.Pending.Clear();
        SetStatus(deployment, DeploymentStatus.Deploying, now);
        deployment.DeployLog.Add(new LogLine(now, "Restarting container", "info"));
        deployment.Pending.Add((now + options.StepDuration, DeploymentStatus.Success));
        if (deployment.Script.Outcome == DeploymentOutcome.Crash)
            deployment.Pending.Add((now + 2 * options.StepDuration, DeploymentStatus.Crashed));
        return true;
    }

    private JsonNode Stop(IReadOnlyDictionary<string, JsonNode?> args, RailwayCaller? caller)
    {
        var deployment = AuthorisedDeployment(args, "id", caller);
        if (deployment.Status is not (DeploymentStatus.Success or DeploymentStatus.Crashed or DeploymentStatus.Sleeping))
            throw new GraphQLFieldException("Deployment is not running");
        deployment.Pending.Clear();
        deployment.Stopped = true;
        SetStatus(deployment, DeploymentStatus.Removed, time.GetUtcNow());
        return true;
    }

    private JsonNode Cancel(IReadOnlyDictionary<string, JsonNode?> args, RailwayCaller? caller)
    {
        var deployment = AuthorisedDeployment(args, "id", caller);
        if (!deployment.Status.IsInProgress()) throw new GraphQLFieldException("Deployment is not in progress");
        var now = time.GetUtcNow();
        deployment.Pending.Clear();
        deployment.BuildLog.Add(new LogLine(now, "Deployment cancelled", "info"));
        SetStatus(deployment, DeploymentStatus.Removed, now);
        return true;
    }

    private JsonNode UpsertVariable(IReadOnlyDictionary<string, JsonNode?> args, RailwayCaller? caller)
    {
        var input = args.GetValueOrDefault("input") as JsonObject ?? throw new GraphQLFieldException("input is required.");
        var projectId = (string?)input["projectId"] ?? throw new GraphQLFieldException("projectId is required.");
        var environmentId = (string?)input["environmentId"] ?? throw new GraphQLFieldException("environmentId is required.");
        var serviceId = (string?)input["serviceId"];
        var name = (string?)input["name"] ?? throw new GraphQLFieldException("name is required.");
        var value = (string?)input["value"] ?? throw new GraphQLFieldException("value is required.");
        if (caller is null || !caller.MayAccess(projectId)) throw NotAuthorized();
        RequireEnvironment(environmentId, projectId);
        if (serviceId is not null && RequireService(serviceId).ProjectId != projectId) throw new GraphQLFieldException("Service not found");
        _variables[(projectId, environmentId, serviceId, name)] = value;
        return true;
    }

    // ---- lifecycle ----

    private Deployment StartDeployment(Service service, string environmentId, string commit, DeploymentScript script, string? rollbackOf)
    {
        var now = time.GetUtcNow();
        var step = options.StepDuration;
        var deployment = new Deployment
        {
            Id = NewId(),
            Sequence = ++_sequence,
            ProjectId = service.ProjectId,
            EnvironmentId = environmentId,
            ServiceId = service.Id,
            CommitHash = commit,
            CreatedAt = now,
            Script = script,
            RollbackOf = rollbackOf,
            Status = DeploymentStatus.Queued,
            StatusUpdatedAt = now,
        };
        DeploymentStatus[] path = script.Outcome switch
        {
            DeploymentOutcome.FailBuild => [DeploymentStatus.Initializing, DeploymentStatus.Building, DeploymentStatus.Failed],
            DeploymentOutcome.Walk => script.Path.ToArray(),
            DeploymentOutcome.Crash => [DeploymentStatus.Initializing, DeploymentStatus.Building, DeploymentStatus.Deploying, DeploymentStatus.Success, DeploymentStatus.Crashed],
            _ => [DeploymentStatus.Initializing, DeploymentStatus.Building, DeploymentStatus.Deploying, DeploymentStatus.Success],
        };
        for (var i = 0; i < path.Length; i++)
        {
            deployment.Pending.Add((now + (i + 1) * step, path[i]));
            if (script.Outcome == DeploymentOutcome.Hang && path[i] == script.HangIn) break;
        }
        _deployments.Add(deployment.Id, deployment);
        return deployment;
    }

    /// <summary>Applies every due transition of every deployment in time order, including their side effects.</summary>
    private void Settle()
    {
        var now = time.GetUtcNow();
        while (true)
        {
            var next = _deployments.Values
                .Where(d => d.Pending.Count > 0 && d.Pending[0].At <= now)
                .MinBy(d => (d.Pending[0].At, d.Sequence));
            if (next is null) return;
            var (at, status) = next.Pending[0];
            next.Pending.RemoveAt(0);
            Enter(next, status, at);
        }
    }

    private void Enter(Deployment deployment, DeploymentStatus status, DateTimeOffset at)
    {
        SetStatus(deployment, status, at);
        switch (status)
        {
            case DeploymentStatus.Building:
                deployment.BuildLog.Add(new LogLine(at, $"Building commit {deployment.CommitHash}", "info"));
                break;
            case DeploymentStatus.Failed:
                deployment.BuildLog.AddRange(deployment.Script.BuildLog.Select(line => new LogLine(at, line, "error")));
                deployment.BuildLog.Add(new LogLine(at, "Build failed", "error"));
                break;
            case DeploymentStatus.Deploying:
                deployment.BuildLog.Add(new LogLine(at, "Build succeeded", "info"));
                break;
            case DeploymentStatus.Success:
                deployment.EverSucceeded = true;
                deployment.DeployLog.Add(new LogLine(at, "Starting Container", null));
                deployment.DeployLog.Add(new LogLine(at, "Listening on port 8080", "info"));
                // The newly healthy deployment replaces whatever served this service instance before.
                foreach (var older in _deployments.Values.Where(d => d != deployment && d.ServiceId == deployment.ServiceId
                             && d.EnvironmentId == deployment.EnvironmentId
                             && d.Status is DeploymentStatus.Success or DeploymentStatus.Crashed or DeploymentStatus.Sleeping))
                {
                    older.Pending.Clear();
                    SetStatus(older, DeploymentStatus.Removed, at);
                }
                break;
            case DeploymentStatus.Crashed:
                deployment.DeployLog.AddRange(deployment.Script.RuntimeLog.Select(line => new LogLine(at, line, "error")));
                deployment.DeployLog.Add(new LogLine(at, "Container exited with a non-zero status", null));
                break;
        }
    }

    private static void SetStatus(Deployment deployment, DeploymentStatus status, DateTimeOffset at)
    {
        deployment.Status = status;
        deployment.StatusUpdatedAt = at;
    }

    private DeploymentScript NextScript(string serviceId) =>
        _nextScripts.TryGetValue(serviceId, out var queue) && queue.Count > 0 ? queue.Dequeue() : DeploymentScript.Succeed;

    private bool CanRollback(Deployment deployment) =>
        deployment.EverSucceeded && deployment.Status == DeploymentStatus.Removed && !deployment.Stopped;

    // ---- lookups and access ----

    private Deployment AuthorisedDeployment(IReadOnlyDictionary<string, JsonNode?> args, string argument, RailwayCaller? caller)
    {
        if (caller is null) throw NotAuthorized();
        var id = (string?)args.GetValueOrDefault(argument) ?? throw new GraphQLFieldException($"{argument} is required.");
        if (!_deployments.TryGetValue(id, out var deployment)) throw new GraphQLFieldException("Deployment not found", "NOT_FOUND");
        if (!caller.MayAccess(deployment.ProjectId)) throw NotAuthorized();
        return deployment;
    }

    private (Service Service, Environment Environment) AuthorisedServiceInstance(IReadOnlyDictionary<string, JsonNode?> args, RailwayCaller? caller)
    {
        if (caller is null) throw NotAuthorized();
        var serviceId = (string?)args.GetValueOrDefault("serviceId") ?? throw new GraphQLFieldException("serviceId is required.");
        var environmentId = (string?)args.GetValueOrDefault("environmentId") ?? throw new GraphQLFieldException("environmentId is required.");
        if (!_services.TryGetValue(serviceId, out var service)) throw new GraphQLFieldException("Service not found", "NOT_FOUND");
        if (!caller.MayAccess(service.ProjectId)) throw NotAuthorized();
        if (!_environments.TryGetValue(environmentId, out var environment) || environment.ProjectId != service.ProjectId)
            throw new GraphQLFieldException("Environment not found", "NOT_FOUND");
        return (service, environment);
    }

    private static GraphQLFieldException NotAuthorized() => new("Not Authorized");

    private void RequireProject(string projectId)
    {
        if (!_projects.ContainsKey(projectId)) throw new ArgumentException($"No project {projectId}.", nameof(projectId));
    }

    private Service RequireService(string serviceId) =>
        _services.TryGetValue(serviceId, out var service) ? service : throw new GraphQLFieldException("Service not found", "NOT_FOUND");

    private void RequireEnvironment(string environmentId, string projectId)
    {
        if (!_environments.TryGetValue(environmentId, out var environment) || environment.ProjectId != projectId)
            throw new GraphQLFieldException("Environment not found", "NOT_FOUND");
    }

    private JsonObject DeploymentJson(Deployment d) => new()
    {
        ["id"] = d.Id,
        ["status"] = WireName(d.Status),
        ["projectId"] = d.ProjectId,
        ["environmentId"] = d.EnvironmentId,
        ["serviceId"] = d.ServiceId,
        ["createdAt"] = Iso(d.CreatedAt),
        ["updatedAt"] = Iso(d.StatusUpdatedAt),
        ["statusUpdatedAt"] = Iso(d.StatusUpdatedAt),
        ["meta"] = new JsonObject { ["commitHash"] = d.CommitHash, ["rollbackFrom"] = d.RollbackOf },
        ["url"] = null,
        ["staticUrl"] = $"{_services[d.ServiceId].Name}-production.up.railway.app",
        ["canRedeploy"] = !d.Status.IsInProgress(),
        ["canRollback"] = CanRollback(d),
        ["deploymentStopped"] = d.Stopped,
        ["snapshotId"] = null,
        ["suggestAddServiceDomain"] = false,
    };

    private static RailwayFakeDeployment ToSnapshot(Deployment d) =>
        new(d.Id, d.ProjectId, d.EnvironmentId, d.ServiceId, d.CommitHash, d.Status, d.CreatedAt, d.Stopped, d.RollbackOf);

    private static readonly RailwayEnumConverter<DeploymentStatus> StatusNames = new();

    private static string WireName(DeploymentStatus status) => StatusNames.WireName(status);

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Cursor(Deployment d) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"deployment:{d.Sequence}"));

    private static int? OptionalInt(IReadOnlyDictionary<string, JsonNode?> args, string name) =>
        args.GetValueOrDefault(name) is JsonValue value ? (int)value.GetValue<long>() : null;

    private static DateTimeOffset? OptionalDate(IReadOnlyDictionary<string, JsonNode?> args, string name) =>
        args.GetValueOrDefault(name) is JsonValue value
            ? DateTimeOffset.Parse((string)value!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : null;

    private string NewId()
    {
        var n = ++_sequence;
        return $"00000000-0000-4000-8000-{n:D12}";
    }
}

/// <summary>Who is calling: an account token sees everything, a project token only its project.</summary>
internal sealed record RailwayCaller(string? ProjectScope)
{
    public bool MayAccess(string projectId) => ProjectScope is null || ProjectScope == projectId;
}

/// <summary>A resolver refused a field (not found, not authorised, invalid state); reported in <c>errors</c> with HTTP 200.</summary>
internal sealed class GraphQLFieldException(string message, string? code = null) : Exception(message)
{
    public string? Code { get; } = code;
}
