namespace Autopilot.Platforms.Http;

/// <summary>
/// What one HTTP exchange with a platform looked like, safe to log or journal: the body is a redacted, truncated
/// snippet, never the raw payload.
/// </summary>
/// <param name="Platform">Which platform was called.</param>
/// <param name="Operation">A short name of what was attempted (GraphQL operation, "POST /repos/{owner}/{repo}/issues").</param>
/// <param name="StatusCode">HTTP status code of the response.</param>
/// <param name="Duration">Time from sending the request to reading the body.</param>
/// <param name="BodySnippet">Redacted beginning of the response body.</param>
public sealed record PlatformCall(string Platform, string Operation, int StatusCode, TimeSpan Duration, string BodySnippet);
