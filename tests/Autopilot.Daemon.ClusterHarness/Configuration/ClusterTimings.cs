namespace Autopilot.Daemon.ClusterHarness.Configuration;

/// <summary>
/// The cluster's timing keys as the harness writes them (<c>autopilot.cluster.*</c>). Null leaves a key at the
/// daemon's default, so the benchmark can measure exactly what operators get.
/// </summary>
/// <param name="HeartbeatInterval">How often a member heartbeats.</param>
/// <param name="FailureDetectionTimeout">Silence after which the others mark a member Down.</param>
/// <param name="LeaseDuration">Validity of the singleton lease per renewal.</param>
/// <param name="LeaseRenewInterval">How often the holder renews.</param>
/// <param name="InboxPollInterval">How often the leader looks for new inbox entries.</param>
public sealed record ClusterTimings(
    TimeSpan? HeartbeatInterval,
    TimeSpan? FailureDetectionTimeout,
    TimeSpan? LeaseDuration,
    TimeSpan? LeaseRenewInterval,
    TimeSpan? InboxPollInterval)
{
    /// <summary>The daemon's defaults (nothing written).</summary>
    public static ClusterTimings Defaults { get; } = new(null, null, null, null, null);

    /// <summary>
    /// Quick enough for a test suite, slow enough for a loaded 2-core CI machine running other test assemblies at the
    /// same time: a member is judged Down only after 5 s of silence (ten missed heartbeats), and the leader's 5 s lease,
    /// renewed every 500 ms, survives ten missed renewals, so only a deliberate kill or freeze moves the lease.
    /// </summary>
    public static ClusterTimings Test { get; } = new(
        TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(100));

    /// <summary>The HOCON lines of the keys that are set.</summary>
    internal IEnumerable<string> Hocon()
    {
        if (HeartbeatInterval is { } heartbeat) yield return $"heartbeat-interval = {Duration(heartbeat)}";
        if (FailureDetectionTimeout is { } detection) yield return $"failure-detection-timeout = {Duration(detection)}";
        if (LeaseDuration is { } lease) yield return $"lease.duration = {Duration(lease)}";
        if (LeaseRenewInterval is { } renew) yield return $"lease.renew-interval = {Duration(renew)}";
        if (InboxPollInterval is { } inbox) yield return $"inbox.poll-interval = {Duration(inbox)}";
    }

    private static string Duration(TimeSpan value) => $"{(long)value.TotalMilliseconds}ms";
}
