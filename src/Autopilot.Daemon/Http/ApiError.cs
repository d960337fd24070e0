using Autopilot.Daemon.Runtime;
using Microsoft.AspNetCore.Http;

namespace Autopilot.Daemon.Http;

/// <summary>The JSON body of every error answer of the daemon.</summary>
/// <param name="Error">Machine-readable code (unauthorized, forbidden, bad_request, ...).</param>
/// <param name="Message">What went wrong, for a human; never contains secrets.</param>
public sealed record ApiError(string Error, string Message)
{
    /// <summary>The answer when the orchestrator could not be asked: 504 when it did not answer in time, else 503.</summary>
    public static IResult Unavailable(OrchestratorUnavailableException e) =>
        Results.Json(new ApiError(e.TimedOut ? "timeout" : "unavailable", e.Message),
            statusCode: e.TimedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status503ServiceUnavailable);
}
