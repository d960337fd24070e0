using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence.Query;
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
/// Read side of the admin API (role viewer and up): status, the live actor tree, the audit trail, deployments,
/// incidents, which secrets resolve, and the effective configuration with secrets masked.
/// </summary>
public static class AdminReadEndpoints
{
    /// <summary>Default and largest number of audit records one query returns.</summary>
    public const int DefaultAuditLimit = 100, MaxAuditLimit = 5_000;

    /// <summary>Maps the endpoints onto the <c>/api</c> group.</summary>
    public static RouteGroupBuilder MapAdminReadEndpoints(this RouteGroupBuilder api)
    {
        var read = api.MapGroup("").RequireRole(ApiRole.Viewer);
        read.MapGet("/status", StatusAsync);
        read.MapGet("/health", (DaemonRuntime runtime) =>
        {
            var report = HealthReport.Of(runtime);
            return Results.Json(report, statusCode: HealthEndpoints.StatusCodeOf(report));
        });
        read.MapGet("/actors", ActorsAsync);
        read.MapGet("/audit", AuditAsync);
        read.MapGet("/deployments", DeploymentsAsync);
        read.MapGet("/incidents", IncidentsAsync);
        read.MapGet("/secrets/check", (DaemonRuntime runtime) => Results.Json(new SecretsReport(
            runtime.Settings.Platforms.Secrets,
            runtime.Settings.ApiTokens.Select(t => new TokenView(t.Name, t.Role.ToString().ToLowerInvariant())).ToArray()), AuditRecord.Json));
        read.MapGet("/config", (Akka.Configuration.Config config) => Results.Json(new ConfigReport(HoconView.Render(config, MaskedConfigPaths))));
        return api;
    }

    /// <summary>Paths masked in <c>/api/config</c> besides secret-looking keys (connection strings hold passwords).</summary>
    public static readonly IReadOnlyList<string> MaskedConfigPaths =
    [
        JournalSelection.SqliteConnectionStringKey, JournalSelection.PostgresConnectionStringKey, Configuration.ClusterSettings.LeaseConnectionStringKey, "autopilot.api.tokens.*.token",
        "autopilot.platforms.*.chat-id", DaemonConfiguration.AgentsTelegramChatKey,
    ];

    private static async Task<IResult> StatusAsync(DaemonRuntime runtime, OrchestratorClient orchestrator, TimeProvider time, CancellationToken ct)
    {
        OrchestratorStatus? status = null;
        string orchestratorState;
        try
        {
            status = await orchestrator.StatusAsync(ct);
            orchestratorState = "running";
        }
        catch (OrchestratorUnavailableException e)
        {
            orchestratorState = e.Message;
        }

        return Results.Json(new StatusReport(
            runtime.Settings.NodeName,
            typeof(AdminReadEndpoints).Assembly.GetName().Version?.ToString() ?? "0.0.0",
            runtime.StartedAt,
            time.GetUtcNow() - runtime.StartedAt,
            runtime.IsReady,
            runtime.Settings.Journal.Plugin,
            runtime.JournalHealth.Current.Status,
            orchestratorState,
            status,
            runtime.Settings.Platforms.Statuses,
            runtime.Settings.Cluster.Enabled,
            runtime.Place?.SingletonHost), AuditRecord.Json);
    }

    /// <summary>The live actor tree with the restart counts the <see cref="RestartCounter"/> kept (an actor restarted by a
    /// backoff supervisor is a fresh child: only the counter remembers its earlier lives).</summary>
    private static async Task<IResult> ActorsAsync(DaemonRuntime runtime, ActorRegistry registry)
    {
        if (runtime.System is not { } system)
        {
            return Results.Json(new ActorsReport(runtime.Settings.NodeName, []), AuditRecord.Json);
        }

        IReadOnlyDictionary<string, int>? restarts = null;
        if (registry.TryGet<RestartCounter>(out var counter))
        {
            restarts = (await counter.Ask<RestartCounts>(GetRestartCounts.Instance, runtime.Settings.AskTimeout).ConfigureAwait(false)).ByPath;
        }

        return Results.Json(new ActorsReport(runtime.Settings.NodeName, ActorTreeSnapshot.Capture(system, restarts)), AuditRecord.Json);
    }

    private static async Task<IResult> AuditAsync(DaemonRuntime runtime, TimeProvider time, string? since, string? until, string? phase, string? result,
        string? tag, string? service, int? limit, CancellationToken ct)
    {
        AuditFilter filter;
        try
        {
            // since/until go through the strict parser only (ISO 8601 or a duration), never a configuration parser.
            var now = time.GetUtcNow();
            filter = AuditFilter.Parse(null, null, phase, result, tag, service, now) with
            {
                Since = AuditTimeParameter.Parse(since, "since", now),
                Until = AuditTimeParameter.Parse(until, "until", now),
            };
        }
        catch (ArgumentException e)
        {
            return Results.Json(new ApiError("bad_request", e.Message), statusCode: StatusCodes.Status400BadRequest);
        }

        var take = Math.Clamp(limit ?? DefaultAuditLimit, 1, MaxAuditLimit);
        return Results.Json(await LatestAsync(runtime, filter, take, ct), AuditRecord.Json);
    }

    /// <summary>The last <paramref name="take"/> audit records matching <paramref name="filter"/>, oldest first.</summary>
    internal static async Task<IReadOnlyList<AuditRecord>> LatestAsync(DaemonRuntime runtime, AuditFilter filter, int take, CancellationToken ct)
    {
        if (runtime.Audit is not { } audit)
        {
            return [];
        }

        return await audit.LatestAsync(filter.Tag ?? AuditEvents.Tag, take, envelope =>
        {
            var record = AuditRecord.From(envelope);
            return record.Tags.Contains(AuditEvents.Tag) && filter.Matches(record) ? record : null;
        }, ct);
    }

    private static async Task<IResult> DeploymentsAsync(DaemonRuntime runtime, OrchestratorClient orchestrator, string? service, int? limit, CancellationToken ct)
    {
        IReadOnlyList<ServiceView> services = [];
        try
        {
            services = (await orchestrator.StatusAsync(ct)).Services;
        }
        catch (OrchestratorUnavailableException)
        {
            // The history below comes from the journal and is still worth showing.
        }

        var take = Math.Clamp(limit ?? DefaultAuditLimit, 1, MaxAuditLimit);
        IReadOnlyList<DeploymentEvent> history = runtime.Audit is not { } audit
            ? []
            : await audit.LatestAsync(AuditEvents.Domains.Railway, take, envelope => DeploymentEventOf(envelope, service), ct);
        return Results.Json(new DeploymentsReport(
            services.Where(s => service is null || string.Equals(s.Service, service, StringComparison.OrdinalIgnoreCase)).ToArray(),
            history), AuditRecord.Json);
    }

#pragma warning disable CS1998 // an empty stream has nothing to await
    private static async IAsyncEnumerable<EventEnvelope> NoEnvelopes()
    {
        yield break;
    }
#pragma warning restore CS1998

    private static DeploymentEvent? DeploymentEventOf(EventEnvelope envelope, string? service)
    {
        var record = AuditRecord.From(envelope);
        var deploymentId = record.Event.TryGetProperty("deploymentId", out var d) && d.ValueKind == System.Text.Json.JsonValueKind.String ? d.GetString() : null;
        if (deploymentId is null || (service is not null && !string.Equals(record.Service, service, StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var commit = record.Event.TryGetProperty("commit", out var c) && c.ValueKind == System.Text.Json.JsonValueKind.String ? c.GetString() : null;
        return new DeploymentEvent(record.Timestamp, record.Service, deploymentId, commit, record.Type, record.Result);
    }

    private static async Task<IResult> IncidentsAsync(DaemonRuntime runtime, OrchestratorClient orchestrator, bool? open, CancellationToken ct)
    {
        var incidents = new Dictionary<string, IncidentSummary>(StringComparer.Ordinal);
        // An incident's story spans its whole life, so this view folds the incident tag from its start.
        var envelopes = runtime.Audit?.CurrentEventsByTag(AuditEvents.Domains.Incident, 0, ct) ?? NoEnvelopes();
        await foreach (var envelope in envelopes)
        {
            switch (envelope.Event)
            {
                case IncidentOpened opened:
                    incidents[opened.IncidentId] = new IncidentSummary(opened.IncidentId, opened.Service, opened.Title, opened.Fingerprint, opened.At, true, null, "opened", opened.At);
                    break;
                case IncidentUpdated updated when incidents.TryGetValue(updated.IncidentId, out var known):
                    var closed = updated.Change is "resolved" or "closed";
                    incidents[updated.IncidentId] = known with
                    {
                        Open = !closed && known.Open,
                        AcknowledgedBy = updated.Change is "acknowledged" ? updated.Detail : known.AcknowledgedBy,
                        LastChange = updated.Change,
                        UpdatedAt = updated.At,
                    };
                    break;
            }
        }

        try
        {
            // The orchestrator's view is authoritative for what is open now (it may have resolved incidents in memory).
            var live = (await orchestrator.StatusAsync(ct)).Incidents;
            foreach (var incident in incidents.Values.ToArray())
            {
                var current = live.FirstOrDefault(i => i.IncidentId == incident.IncidentId);
                incidents[incident.IncidentId] = incident with { Open = current is not null, AcknowledgedBy = current?.AcknowledgedBy ?? incident.AcknowledgedBy };
            }

            foreach (var view in live.Where(i => !incidents.ContainsKey(i.IncidentId)))
            {
                incidents[view.IncidentId] = new IncidentSummary(view.IncidentId, view.Service, view.Title, view.Fingerprint, view.OpenedAt, true, view.AcknowledgedBy, "opened", view.OpenedAt);
            }
        }
        catch (OrchestratorUnavailableException)
        {
            // Journal view only.
        }

        return Results.Json(incidents.Values.Where(i => open is not true || i.Open).OrderBy(i => i.OpenedAt).ToArray(), AuditRecord.Json);
    }
}

/// <summary>Answer of <c>/api/status</c>.</summary>
/// <remarks>
/// In a cluster <see cref="Autopilot"/> is the orchestrator's own answer, through the singleton proxy from whichever
/// node runs it (null while it moves), and <see cref="Leader"/> names that node.
/// </remarks>
public sealed record StatusReport(
    string Node, string Version, DateTimeOffset StartedAt, TimeSpan Uptime, bool Ready, string Journal, string JournalStatus,
    string Orchestrator, OrchestratorStatus? Autopilot, IReadOnlyList<PlatformStatus> Platforms, bool Clustered, string? Leader);

/// <summary>Answer of <c>/api/actors</c>.</summary>
/// <param name="Node">Node name.</param>
/// <param name="Actors">Top-level actors with their subtrees.</param>
public sealed record ActorsReport(string Node, IReadOnlyList<ActorTreeNode> Actors);

/// <summary>Answer of <c>/api/secrets/check</c>: which secrets resolved, never their values.</summary>
public sealed record SecretsReport(IReadOnlyList<SecretCheck> Secrets, IReadOnlyList<TokenView> ApiTokens);

/// <summary>An admin API token by name and role.</summary>
public sealed record TokenView(string Name, string Role);

/// <summary>Answer of <c>/api/config</c>: the effective HOCON with secrets masked.</summary>
public sealed record ConfigReport(string Hocon);

/// <summary>Answer of <c>/api/deployments</c>.</summary>
/// <param name="Services">What the orchestrator sees now.</param>
/// <param name="History">Deployment-related audit events, oldest first.</param>
public sealed record DeploymentsReport(IReadOnlyList<ServiceView> Services, IReadOnlyList<DeploymentEvent> History);

/// <summary>A deployment-related audit event.</summary>
public sealed record DeploymentEvent(DateTimeOffset At, string? Service, string DeploymentId, string? Commit, string Type, string? Result);

/// <summary>An incident reconstructed from the journal (and the orchestrator's live view).</summary>
public sealed record IncidentSummary(
    string IncidentId, string Service, string Title, string Fingerprint, DateTimeOffset OpenedAt, bool Open, string? AcknowledgedBy, string LastChange, DateTimeOffset UpdatedAt);
