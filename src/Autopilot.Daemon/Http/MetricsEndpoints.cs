using Autopilot.Daemon.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Daemon.Http;

/// <summary><c>/metrics</c> in the Prometheus text format (no authentication, like most exporters: bind it privately).</summary>
public static class MetricsEndpoints
{
    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapMetricsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics", (PrometheusExposition exposition) => Results.Text(exposition.Scrape(), PrometheusExposition.ContentType));
        return app;
    }
}
