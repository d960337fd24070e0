using Akka.Actor;
using Akka.Hosting;
using Autopilot.Agents.Health;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Audit;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Http;
using Autopilot.Daemon.Http.Auth;
using Autopilot.Daemon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Daemon.Dashboard;

/// <summary>
/// The read endpoints behind the dashboard page (role viewer and up), all answered from the <see cref="DashboardView"/>'s
/// window of the journal plus the orchestrator's live status: <c>/api/whoami</c>, <c>/api/uptime</c>,
/// <c>/api/dashboard/services</c>, <c>/api/dashboard/summary</c>, <c>/api/dashboard/activity</c> and
/// <c>/api/dashboard/incidents</c>.
/// </summary>
public static class DashboardEndpoints
{
    /// <summary>Largest <c>days</c> of the summary and incidents (what the view keeps).</summary>
    public const int MaxDays = 30;

    /// <summary>Largest <c>hours</c> of the activity chart.</summary>
    public const int MaxHours = 30 * 24;

    /// <summary>Maps the endpoints onto the <c>/api</c> group.</summary>
    public static RouteGroupBuilder MapDashboardEndpoints(this RouteGroupBuilder api)
    {
        var read = api.MapGroup("").RequireRole(ApiRole.Viewer);
        read.MapGet("/whoami", (HttpContext http) => Results.Json(new WhoAmI(http.Caller().Name, http.Caller().Role.ToString().ToLowerInvariant())));
        read.MapGet("/uptime", UptimeAsync);
        read.MapGet("/dashboard/services", ServicesAsync);
        read.MapGet("/dashboard/summary", SummaryAsync);
        read.MapGet("/dashboard/activity", ActivityAsync);
        read.MapGet("/dashboard/incidents", IncidentsAsync);
        return api;
    }

    private static async Task<IResult> UptimeAsync(DaemonRuntime runtime, ActorRegistry registry, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var probes = await AskAsync<ProbeSummary>(registry, runtime, new GetProbeSummary(now), ct);
        return Results.Json(new UptimeReport(now, probes.CaughtUp, Targets(runtime).Select(t => new TargetUptime(t.Name, t.Service, UptimeOf(probes, t.Name, now))).ToArray()),
            AuditRecord.Json);
    }

    private static async Task<IResult> ServicesAsync(DaemonRuntime runtime, ActorRegistry registry, OrchestratorClient orchestrator, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var probesTask = AskAsync<ProbeSummary>(registry, runtime, new GetProbeSummary(now), ct);
        var auditTask = AskAsync<AuditWindow>(registry, runtime, new GetAuditWindow(now - DashboardView.Retention), ct);
        OrchestratorStatus? status = null;
        try
        {
            status = await orchestrator.StatusAsync(ct);
        }
        catch (OrchestratorUnavailableException)
        {
            // Cards from the journal alone: deployment status unknown.
        }

        var probes = await probesTask;
        var audit = await auditTask;
        var targets = Targets(runtime);
        var names = (status?.Services.Select(s => s.Service) ?? [])
            .Concat(targets.Select(t => t.Service ?? t.Name))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        // The newest commit recorded per service, in one pass from the end.
        var commits = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = audit.Items.Count - 1; i >= 0 && commits.Count < names.Length; i--)
        {
            if (CommitOf(audit.Items[i].Event) is ({ } service, { } sha))
            {
                commits.TryAdd(service, sha);
            }
        }

        var cards = names.Select(name =>
        {
            var view = status?.Services.FirstOrDefault(s => s.Service == name);
            var target = targets.FirstOrDefault(t => (t.Service ?? t.Name) == name);
            var recent = target is not null && probes.Recent.TryGetValue(target.Name, out var r) ? r : [];
            var last = recent.Count > 0 ? recent[^1] : null;
            var incident = status?.Incidents.FirstOrDefault(i => i.Service == name);
            var commit = commits.GetValueOrDefault(name);
            return new ServiceCard(name, CardState.Of(last, incident, view), view?.CurrentStatus, view?.CurrentDeploymentId, commit, target?.Name,
                last is null ? null : new ProbeView(last.Healthy, last.StatusCode, last.ResponseMs, last.Reason, last.At),
                last?.BaselineMs, recent.Select(p => p.ResponseMs).ToArray(),
                incident is null ? null : new CardIncident(incident.IncidentId, incident.Title, incident.OpenedAt, incident.AcknowledgedBy),
                target is null ? null : UptimeOf(probes, target.Name, now));
        }).ToArray();
        return Results.Json(new ServiceCardsReport(now, probes.CaughtUp && audit.CaughtUp, status is not null, cards), AuditRecord.Json);
    }

    private static async Task<IResult> SummaryAsync(DaemonRuntime runtime, ActorRegistry registry, TimeProvider time, int? days, CancellationToken ct)
    {
        if (days is < 1 or > MaxDays)
        {
            return BadRequest($"days must be between 1 and {MaxDays} (was {days}).");
        }

        var now = time.GetUtcNow();
        var from = now - TimeSpan.FromDays(days ?? 7);
        var audit = await AskAsync<AuditWindow>(registry, runtime, new GetAuditWindow(from), ct);
        return Results.Json(ActivitySummary.Of(audit.Items, from, now, audit.CaughtUp), AuditRecord.Json);
    }

    private static async Task<IResult> ActivityAsync(DaemonRuntime runtime, ActorRegistry registry, TimeProvider time, int? hours, CancellationToken ct)
    {
        if (hours is < 1 or > MaxHours)
        {
            return BadRequest($"hours must be between 1 and {MaxHours} (was {hours}).");
        }

        var now = time.GetUtcNow();
        var span = hours ?? 168;
        var audit = await AskAsync<AuditWindow>(registry, runtime, new GetAuditWindow(now - TimeSpan.FromHours(span + 1)), ct);
        return Results.Json(HourlyActivity.Of(audit.Items, now, span, audit.CaughtUp), AuditRecord.Json);
    }

    private static async Task<IResult> IncidentsAsync(DaemonRuntime runtime, ActorRegistry registry, OrchestratorClient orchestrator, TimeProvider time, int? days,
        CancellationToken ct)
    {
        if (days is < 1 or > MaxDays)
        {
            return BadRequest($"days must be between 1 and {MaxDays} (was {days}).");
        }

        var now = time.GetUtcNow();
        var audit = await AskAsync<AuditWindow>(registry, runtime, new GetAuditWindow(now - DashboardView.Retention), ct);
        IReadOnlyList<IncidentView>? live = null;
        try
        {
            live = (await orchestrator.StatusAsync(ct)).Incidents;
        }
        catch (OrchestratorUnavailableException)
        {
            // The journal decides what is open.
        }

        var from = now - TimeSpan.FromDays(days ?? 7);
        var stories = IncidentStory.Of(audit.Items, live, runtime.AgentsSettings.GitHub.IncidentRepository, from);
        return Results.Json(new IncidentsReport(now, audit.CaughtUp, stories), AuditRecord.Json);
    }

    private static IResult BadRequest(string message) =>
        Results.Json(new ApiError("bad_request", message), statusCode: StatusCodes.Status400BadRequest);

    private static IReadOnlyList<HealthTarget> Targets(DaemonRuntime runtime) => runtime.AgentsSettings.Health.Targets;

    private static IReadOnlyDictionary<string, UptimeView> UptimeOf(ProbeSummary probes, string target, DateTimeOffset now) =>
        ProbeUptime.Windows.ToDictionary(w => w.Name, w =>
        {
            // A target without any record yet: the same "no data" as a window without probes.
            var figure = probes.Uptime.TryGetValue(target, out var windows) ? windows[w.Name] : ProbeUptime.Over([], now - w.Length, now);
            return new UptimeView(figure.Ratio is { } ratio ? Math.Round(ratio * 100, 3) : null, Math.Round(figure.Coverage * 100, 3), figure.Probes);
        }, StringComparer.Ordinal);

    private static (string? Service, string? Commit) CommitOf(IAuditEvent e) => e switch
    {
        Observed { Commit: not null } o => (o.Service, o.Commit),
        ActionRequested { Commit: not null } r => (r.Service, r.Commit),
        _ => (null, null),
    };

    private static async Task<T> AskAsync<T>(ActorRegistry registry, DaemonRuntime runtime, object question, CancellationToken ct)
    {
        if (!registry.TryGet<DashboardView>(out var view))
        {
            throw new InvalidOperationException("The dashboard view is not running.");
        }

        return await view.Ask<T>(question, runtime.Settings.AskTimeout, ct).ConfigureAwait(false);
    }
}

/// <summary>Answer of <c>/api/whoami</c>: the calling token's name and role (the page shows actions by role).</summary>
public sealed record WhoAmI(string Name, string Role);

/// <summary>Answer of <c>/api/uptime</c>.</summary>
public sealed record UptimeReport(DateTimeOffset At, bool CaughtUp, IReadOnlyList<TargetUptime> Targets);

/// <summary>Uptime of one health target per window (<c>24h</c>, <c>7d</c>, <c>30d</c>).</summary>
public sealed record TargetUptime(string Target, string? Service, IReadOnlyDictionary<string, UptimeView> Windows);

/// <summary>One window's uptime in percent (null: no data), the share of the window probes cover in percent, and how many probe results fell in it.</summary>
public sealed record UptimeView(double? Percent, double CoveragePercent, int Probes);

/// <summary>Answer of <c>/api/dashboard/services</c>.</summary>
/// <param name="At">When computed.</param>
/// <param name="CaughtUp">False while the dashboard is still reading history.</param>
/// <param name="OrchestratorAnswered">False when the cards come from the journal alone.</param>
/// <param name="Services">One card per watched service.</param>
public sealed record ServiceCardsReport(DateTimeOffset At, bool CaughtUp, bool OrchestratorAnswered, IReadOnlyList<ServiceCard> Services);

/// <summary>One service on the dashboard.</summary>
/// <param name="Service">Name.</param>
/// <param name="State">down, incident, deploying, healthy or unknown (see <see cref="CardState"/>).</param>
/// <param name="DeploymentStatus">Current deployment status in Railway's words, if known.</param>
/// <param name="DeploymentId">Current deployment.</param>
/// <param name="Commit">Newest commit recorded for the service.</param>
/// <param name="Target">The health target that probes it, if any.</param>
/// <param name="LastProbe">The newest probe record.</param>
/// <param name="BaselineMs">EWMA baseline of healthy response times after the newest probe.</param>
/// <param name="TrendMs">Response times of the newest probes, oldest first.</param>
/// <param name="Incident">The open incident, if any.</param>
/// <param name="Uptime">Uptime per window.</param>
public sealed record ServiceCard(
    string Service, string State, string? DeploymentStatus, string? DeploymentId, string? Commit, string? Target, ProbeView? LastProbe, double? BaselineMs,
    IReadOnlyList<double> TrendMs, CardIncident? Incident, IReadOnlyDictionary<string, UptimeView>? Uptime);

/// <summary>A probe result on a card.</summary>
public sealed record ProbeView(bool Healthy, int? StatusCode, double ResponseMs, string? Reason, DateTimeOffset At);

/// <summary>A card's open incident.</summary>
public sealed record CardIncident(string IncidentId, string Title, DateTimeOffset OpenedAt, string? AcknowledgedBy);

/// <summary>Answer of <c>/api/dashboard/incidents</c>: open incidents first, then the recent ones, each newest first.</summary>
public sealed record IncidentsReport(DateTimeOffset At, bool CaughtUp, IReadOnlyList<IncidentStory> Incidents);

/// <summary>A card's state, worst first.</summary>
public static class CardState
{
    /// <summary>
    /// <c>down</c> when the newest probe failed; else <c>incident</c> with an open incident; else <c>deploying</c> while
    /// a deployment is under way; else <c>healthy</c> when the newest probe passed or the deployment succeeded; else <c>unknown</c>.
    /// </summary>
    public static string Of(HealthProbed? last, IncidentView? incident, ServiceView? service) =>
        last is { Healthy: false } ? "down"
        : incident is not null ? "incident"
        : service?.CurrentStatus is "BUILDING" or "DEPLOYING" or "INITIALIZING" or "QUEUED" or "WAITING" ? "deploying"
        : last is { Healthy: true } || service?.CurrentStatus is "SUCCESS" ? "healthy"
        : "unknown";
}
