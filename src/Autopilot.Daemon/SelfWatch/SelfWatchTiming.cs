using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Autopilot.Daemon.SelfWatch;

/// <summary>
/// Times webhook (<c>/webhooks/*</c>) and admin API (<c>/api/*</c>) requests into the self-watch's latency windows.
/// Event streams (<c>text/event-stream</c>) are left out: they last as long as their viewer watches.
/// </summary>
public static class SelfWatchTiming
{
    /// <summary>Adds the timing middleware.</summary>
    public static IApplicationBuilder UseSelfWatchTiming(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var measurements = app.ApplicationServices.GetRequiredService<SelfWatchMeasurements>();
        return app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            var window = path.StartsWithSegments("/webhooks") ? measurements.WebhookRequests
                : path.StartsWithSegments("/api") ? measurements.ApiRequests
                : null;
            if (window is null)
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            var started = Stopwatch.GetTimestamp();
            await next(context).ConfigureAwait(false);
            if (context.Response.ContentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) != true)
            {
                window.Record(Stopwatch.GetElapsedTime(started));
            }
        });
    }
}
