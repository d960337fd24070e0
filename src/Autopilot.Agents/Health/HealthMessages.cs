namespace Autopilot.Agents.Health;

/// <summary>Asks the health worker for the last probe result of every target; answered with <see cref="HealthStatus"/>.</summary>
public sealed record GetHealthStatus
{
    /// <summary>The single instance.</summary>
    public static GetHealthStatus Instance { get; } = new();
}

/// <summary>The last probe result of every target.</summary>
/// <param name="Targets">One entry per configured target, in configuration order.</param>
public sealed record HealthStatus(IReadOnlyList<TargetHealth> Targets);

/// <summary>What the health worker knows about one target.</summary>
/// <param name="Target">Target name.</param>
/// <param name="Healthy">Result of the last probe; null before the first.</param>
/// <param name="StatusCode">HTTP status of the last probe, when one came back.</param>
/// <param name="ResponseTime">How long the last probe took.</param>
/// <param name="Reason">Why the last probe failed, if it did.</param>
/// <param name="CheckedAt">When it was last probed.</param>
/// <param name="Phase">Where the self-heal loop is: <c>watching</c>, <c>retrying</c>, <c>redeploying</c>, <c>verifying</c> or <c>gave-up</c>.</param>
/// <param name="ConsecutiveFailures">Failed probes in a row.</param>
public sealed record TargetHealth(
    string Target, bool? Healthy, int? StatusCode, TimeSpan? ResponseTime, string? Reason, DateTimeOffset? CheckedAt, string Phase, int ConsecutiveFailures);
