using Autopilot.Agents.Serialization;

namespace Autopilot.Agents.Health;

/// <summary>
/// One concluded probe of a health target, published by <see cref="HealthProbe"/> on the actor system's event stream
/// (it persists nothing itself: probes are reads) so that the daemon can journal it. The journaled records are what
/// uptime is computed from, so they are kept apart from the audit trail (tag <see cref="Tag"/>, not <c>audit</c>): one
/// record per target per interval would drown the story of what the autopilot did.
/// </summary>
/// <param name="Target">Target name.</param>
/// <param name="Service">The logical service it belongs to, if any.</param>
/// <param name="Healthy">True for a 2xx answer within the probe timeout.</param>
/// <param name="StatusCode">HTTP status, when one came back.</param>
/// <param name="ResponseMs">How long the probe took, in milliseconds.</param>
/// <param name="BaselineMs">The EWMA baseline of healthy response times after this probe (null before the first healthy one).</param>
/// <param name="Reason">Why it failed, redacted; null when healthy.</param>
/// <param name="At">When it concluded.</param>
/// <param name="Interval">The target's routine probe interval: how long one result stands for (see the dashboard's uptime).</param>
[EventManifest("autopilot.health_probed", Version = 1)]
public sealed record HealthProbed(
    string Target, string? Service, bool Healthy, int? StatusCode, double ResponseMs, double? BaselineMs, string? Reason, DateTimeOffset At, TimeSpan Interval)
{
    /// <summary>The journal tag of probe records.</summary>
    public const string Tag = "probe";
}
