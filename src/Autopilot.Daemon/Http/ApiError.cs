namespace Autopilot.Daemon.Http;

/// <summary>The JSON body of every error answer of the daemon.</summary>
/// <param name="Error">Machine-readable code (unauthorized, forbidden, bad_request, ...).</param>
/// <param name="Message">What went wrong, for a human; never contains secrets.</param>
public sealed record ApiError(string Error, string Message);
