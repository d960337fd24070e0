using Autopilot.Daemon.Persistence;
using Autopilot.Daemon.Runtime;
using Autopilot.Daemon.SelfWatch;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Daemon.Http;

/// <summary>
/// <c>/health</c> (unauthenticated: up or down, and each component up or down, nothing about configuration; 503 only
/// when the daemon cannot do its job: journal unreachable, start failed or actor system gone) and <c>/ready</c> (200
/// once the actor tree runs and the journal answers, for load balancers and scripts). The details (node, journal back
/// end, each platform configured or not) are in the authenticated <c>/api/health</c> (<see cref="HealthReport"/>).
/// </summary>
public static class HealthEndpoints
{
    /// <summary>Maps the endpoints (no authentication: they reveal nothing but up/down).</summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", (DaemonRuntime runtime) =>
        {
            var report = PublicHealthReport.Of(HealthReport.Of(runtime));
            return Results.Json(report, statusCode: report.Status == PublicHealthReport.Down ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
        });
        app.MapGet("/ready", (DaemonRuntime runtime) => runtime.IsReady
            ? Results.Json(new ReadyReport(true, "ready"))
            : Results.Json(new ReadyReport(false, runtime.StartupFailure is not null ? "start failed" : runtime.Orchestrator is null ? "starting" : "stopping or journal unhealthy"),
                statusCode: StatusCodes.Status503ServiceUnavailable));
        return app;
    }

    /// <summary>The status code of a detailed report: 503 when unhealthy.</summary>
    public static int StatusCodeOf(HealthReport report) =>
        report.Status == "unhealthy" ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
}

/// <summary>Answer of the unauthenticated <c>/health</c>: only up/down, for load balancers and probes.</summary>
/// <param name="Status"><see cref="Up"/> or <see cref="Down"/> (503).</param>
/// <param name="Components">journal, actorSystem and orchestrator, each up or down.</param>
public sealed record PublicHealthReport(string Status, IReadOnlyDictionary<string, string> Components)
{
    /// <summary>Working (possibly still starting).</summary>
    public const string Up = "up";

    /// <summary>Not working.</summary>
    public const string Down = "down";

    /// <summary>Reduces a detailed report to up/down.</summary>
    public static PublicHealthReport Of(HealthReport report) => new(
        report.Status == "unhealthy" ? Down : Up,
        new Dictionary<string, string>
        {
            ["journal"] = report.Journal.Status == JournalHealth.Healthy ? Up : Down,
            ["actorSystem"] = report.ActorSystem.Status == "running" ? Up : Down,
            ["orchestrator"] = report.Orchestrator.Status == "running" ? Up : Down,
        })
    {
        SelfWatch = report.SelfWatch.Select(c => c.Name).ToArray(),
    };

    /// <summary>The self-watch conditions holding now, by name only (details in <c>/api/health</c>); empty when all is well.</summary>
    public IReadOnlyList<string> SelfWatch { get; init; } = [];
}

/// <summary>Answer of <c>/ready</c>.</summary>
/// <param name="Ready">Whether the daemon accepts work.</param>
/// <param name="Reason">Why not, or "ready".</param>
public sealed record ReadyReport(bool Ready, string Reason);

/// <summary>Answer of the authenticated <c>/api/health</c> (viewer and up): every component with its details.</summary>
/// <param name="Status">healthy, degraded (starting, some platforms not configured, or a self-watch condition holds) or unhealthy.</param>
/// <param name="Node">Node name.</param>
/// <param name="Journal">The journal back end.</param>
/// <param name="ActorSystem">running, starting, failed or terminated.</param>
/// <param name="Orchestrator">running or starting.</param>
/// <param name="Platforms">Each platform, configured or not.</param>
/// <param name="Cluster">"single node", or this member's place in the cluster: leader, standby, joining, leaving, down...</param>
public sealed record HealthReport(
    string Status, string Node, ComponentHealth Journal, ComponentHealth ActorSystem, ComponentHealth Orchestrator, IReadOnlyList<PlatformHealth> Platforms, ComponentHealth Cluster)
{
    /// <summary>Assesses the runtime now.</summary>
    public static HealthReport Of(DaemonRuntime runtime)
    {
        var probe = runtime.JournalHealth.Current;
        var journal = new ComponentHealth(probe.Status, $"{runtime.Settings.Journal.Plugin}{(probe.Detail is null ? "" : ": " + probe.Detail)}");
        var system = runtime.System;
        var terminated = system?.WhenTerminated.IsCompleted == true;
        var actorSystem = new ComponentHealth(
            terminated ? "terminated" : runtime.StartupFailure is not null ? "failed" : system is null ? "starting" : "running",
            runtime.StartupFailure ?? system?.Name ?? "starting");
        var orchestrator = runtime.Orchestrator is { } o
            ? new ComponentHealth("running", o.Path.ToString())
            : new ComponentHealth(runtime.StartupFailure is null ? "starting" : "failed", runtime.StartupFailure ?? "waiting for the actor system");
        var place = runtime.Place;
        var cluster = new ComponentHealth(place?.Status ?? "starting", runtime.Settings.Cluster.Enabled ? $"singletons on {place?.SingletonHost ?? "no member yet"}" : runtime.Settings.NodeName);
        var platforms = runtime.Settings.Platforms.Statuses
            .Select(p => new PlatformHealth(p.Platform, p.Configured ? "configured" : "not configured", p.Detail))
            .ToArray();
        var status = probe.Status == JournalHealth.Unreachable || terminated || runtime.StartupFailure is not null
            ? "unhealthy"
            : runtime.IsReady && platforms.All(p => p.Status == "configured") ? "healthy" : "degraded";
        var selfWatch = runtime.SelfWatch.Active;
        if (status == "healthy" && selfWatch.Count > 0)
        {
            status = "degraded";
        }

        return new HealthReport(status, runtime.Settings.NodeName, journal, actorSystem, orchestrator, platforms, cluster) { SelfWatch = selfWatch };
    }

    /// <summary>
    /// The self-watch conditions holding now, with what was measured (docs/operations.md): shown here even when the
    /// alert about them could not be delivered. Any of them makes a healthy daemon "degraded".
    /// </summary>
    public IReadOnlyList<ActiveCondition> SelfWatch { get; init; } = [];
}

/// <summary>One component's state.</summary>
/// <param name="Status">Short state.</param>
/// <param name="Detail">More, without secrets.</param>
public sealed record ComponentHealth(string Status, string Detail);

/// <summary>One platform's state.</summary>
/// <param name="Platform">railway, github, n8n, telegram.</param>
/// <param name="Status">"configured" or "not configured".</param>
/// <param name="Detail">What is used, or which keys to set.</param>
public sealed record PlatformHealth(string Platform, string Status, string Detail);
