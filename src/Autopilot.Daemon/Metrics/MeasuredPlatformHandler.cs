using System.Diagnostics;

namespace Autopilot.Daemon.Metrics;

/// <summary>
/// Times every HTTP exchange of a platform client for <c>autopilot_platform_call_duration_seconds</c>. Labels are the
/// platform, the HTTP method and the status (or <c>none</c> when no response arrived); paths are left out on purpose,
/// since they carry repository names and ids that would explode the number of series.
/// </summary>
public sealed class MeasuredPlatformHandler(string platform, AutopilotMetrics metrics, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        int? status = null;
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            status = (int)response.StatusCode;
            return response;
        }
        finally
        {
            metrics.RecordPlatformCall(platform, request.Method.Method, status, Stopwatch.GetElapsedTime(started));
        }
    }
}
