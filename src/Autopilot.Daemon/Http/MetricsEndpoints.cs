using Autopilot.Daemon.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace Autopilot.Daemon.Http;

/// <summary>
/// <c>/metrics</c> through prometheus-net.AspNetCore: the Prometheus text format (OpenMetrics when the scraper asks for
/// it) of the daemon's <see cref="AutopilotMetrics.Registry"/>, i.e. the product's series and the HTTP request metrics
/// of <see cref="UseDaemonHttpMetrics"/>. No authentication, like most exporters: bind it privately.
/// </summary>
public static class MetricsEndpoints
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapMetricsEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var metrics = app.ServiceProvider.GetRequiredService<AutopilotMetrics>();
        app.MapMetrics("/metrics", metrics.Registry);
        return app;
    }

    /// <summary>
    /// prometheus-net.AspNetCore's HTTP request metrics (<c>http_requests_received_total</c>,
    /// <c>http_request_duration_seconds</c>, <c>http_requests_in_progress</c>; labels code, method, controller, action,
    /// endpoint = the route pattern such as <c>/webhooks/railway</c> or <c>/api/incidents/{id}</c>, never the query string) into the daemon's registry.
    /// </summary>
    public static IApplicationBuilder UseDaemonHttpMetrics(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var metrics = app.ApplicationServices.GetRequiredService<AutopilotMetrics>();
        return app.UseHttpMetrics(options => options.SetMetricFactory(metrics.Factory));
    }
}
