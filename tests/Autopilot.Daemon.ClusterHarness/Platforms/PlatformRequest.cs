namespace Autopilot.Daemon.ClusterHarness.Platforms;

/// <summary>A request one of the fakes answered, with the credentials taken out (safe to print).</summary>
/// <param name="Platform">railway, github or telegram.</param>
/// <param name="Method">HTTP method.</param>
/// <param name="What">The path, or the GraphQL operation for Railway; bot tokens are masked.</param>
/// <param name="StatusCode">What the fake answered.</param>
/// <param name="ReceivedAt">When the fake received it (the test process's clock, which the daemons share).</param>
public sealed record PlatformRequest(string Platform, string Method, string What, int StatusCode, DateTimeOffset ReceivedAt);
