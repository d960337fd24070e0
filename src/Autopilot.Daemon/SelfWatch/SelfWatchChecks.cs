using System.Globalization;
using Akka.Actor;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Cluster;
using Autopilot.Daemon.Metrics;
using Autopilot.Daemon.Persistence;
using Autopilot.Daemon.Runtime;

namespace Autopilot.Daemon.SelfWatch;

/// <summary>
/// The self-watch's conditions, each built from its settings and the measurement it judges (injectable, so tests provoke
/// each one with a real measurement source instead of waiting for the real trouble).
/// </summary>
public static class SelfWatchChecks
{
    /// <summary>Every condition of a running daemon, measured where the daemon keeps its state.</summary>
    public static IReadOnlyList<SelfWatchCheck> For(SelfWatchSettings settings, SelfWatchMeasurements measurements, DaemonRuntime runtime, ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(measurements);
        ArgumentNullException.ThrowIfNull(runtime);
        var checks = new List<SelfWatchCheck> { Journal(settings.Journal, runtime.JournalHealth, () => runtime.Metrics.FailedJournalWrites) };
        if (runtime.Settings.Cluster.Enabled)
        {
            checks.Add(Lease(settings.Lease, () => runtime.Place, singleton => SingletonLeases.Of(system, singleton).CheckLease(), runtime.Metrics));
        }

        checks.AddRange(settings.Queues.Select(q => QueueDepth(q, () => measurements.QueueDepth(q.Queue))));
        checks.Add(PlatformErrors(settings.PlatformErrors, measurements.PlatformCalls));
        checks.Add(Latency("webhook-latency", settings.WebhookLatency, measurements.WebhookRequests));
        checks.Add(Latency("api-latency", settings.ApiLatency, measurements.ApiRequests));
        checks.Add(Memory(settings.Memory, ProcessUsage.ResidentBytes));
        checks.Add(Cpu(settings.Cpu, measurements.Process.CpuSinceLastSample));
        checks.Add(Disk(settings.Disk, () => DiskUsage.Of(measurements.DataDirectory)));
        checks.Add(AlertDelivery(settings.AlertDelivery, measurements.AbandonedAlerts));
        return checks;
    }

    /// <summary>
    /// <c>journal</c> (critical): the journal database does not answer its probe (reads), or journal writes failed or
    /// were rejected since the previous evaluation.
    /// </summary>
    public static SelfWatchCheck Journal(ConditionWatch watch, JournalHealth health, Func<long> failedWrites)
    {
        var seen = failedWrites();
        return new SelfWatchCheck("journal", AlertSeverity.Critical, watch.For, () =>
        {
            var failed = failedWrites();
            var fresh = failed - seen;
            seen = failed;
            var probe = health.Current;
            if (probe.Status == JournalHealth.Unreachable)
            {
                return $"the journal database does not answer: {probe.Detail}";
            }

            return fresh > 0 ? $"{fresh} journal write(s) failed or were rejected since the last check" : null;
        });
    }

    /// <summary>
    /// <c>lease</c> (critical, clustered mode): no Up member runs the singletons, or this member is the oldest (where they
    /// belong) but does not hold their lease — for longer than the threshold, the orchestrator is not running anywhere.
    /// </summary>
    /// <param name="watch">How long it may last.</param>
    /// <param name="place">This member's place (null while the actor system is not running: nothing judged).</param>
    /// <param name="holdsLease">Whether this member holds the lease of a singleton.</param>
    /// <param name="metrics">Where <c>autopilot_singleton_lease_held</c> is reported.</param>
    public static SelfWatchCheck Lease(ConditionWatch watch, Func<ClusterPlace?> place, Func<string, bool> holdsLease, AutopilotMetrics metrics) =>
        new("lease", AlertSeverity.Critical, watch.For, () =>
        {
            if (place() is not { } now)
            {
                return null;
            }

            var missing = new List<string>();
            foreach (var singleton in SingletonLeases.Singletons)
            {
                var held = now.HostsSingletons && holdsLease(singleton);
                metrics.RecordLeaseHeld(singleton, held);
                if (now.HostsSingletons && !held)
                {
                    missing.Add(singleton);
                }
            }

            return now.SingletonHost is null ? $"no Up member runs the singletons (this member is {now.Status})"
                : missing.Count > 0 ? $"this member is the oldest but does not hold the lease of {string.Join(", ", missing)}"
                : null;
        });

    /// <summary><c>queue:&lt;name&gt;</c> (warning): a queue deeper than its threshold.</summary>
    public static SelfWatchCheck QueueDepth(QueueWatch watch, Func<long?> depth) =>
        new($"queue:{watch.Queue}", AlertSeverity.Warning, watch.For, () =>
            depth() is { } now && now > watch.MaxDepth ? $"the {watch.Queue} queue holds {now} items (threshold {watch.MaxDepth})" : null);

    /// <summary><c>platform-errors</c> (warning): more than the allowed share of platform API calls failed over the window.</summary>
    public static SelfWatchCheck PlatformErrors(PlatformErrorWatch watch, OutcomeWindow calls) =>
        new("platform-errors", AlertSeverity.Warning, watch.For, () =>
        {
            var (all, failed) = calls.Totals();
            if (all < watch.MinCalls)
            {
                return null;
            }

            var ratio = (double)failed / all;
            return ratio > watch.MaxRatio
                ? $"{failed} of {all} platform API calls failed in the last {Duration(watch.Window)} ({Percent(ratio)}, threshold {Percent(watch.MaxRatio)})"
                : null;
        });

    /// <summary><c>webhook-latency</c> / <c>api-latency</c> (warning): the p95 of requests over the window above its target.</summary>
    public static SelfWatchCheck Latency(string name, LatencyWatch watch, LatencyWindow requests) =>
        new(name, AlertSeverity.Warning, watch.For, () =>
            requests.P95() is { } p95 && p95.Count >= watch.MinRequests && p95.P95 > watch.Target
                ? $"p95 of {p95.Count} requests in the last {Duration(watch.Window)} is {(p95.P95 == TimeSpan.MaxValue ? "above the last bucket" : $"{p95.P95.TotalMilliseconds:0} ms")} (target {watch.Target.TotalMilliseconds:0} ms)"
                : null);

    /// <summary><c>memory</c> (warning): resident memory above its threshold.</summary>
    public static SelfWatchCheck Memory(MemoryWatch watch, Func<long> residentBytes) =>
        new("memory", AlertSeverity.Warning, watch.For, () =>
            residentBytes() is var rss && rss > watch.MaxBytes ? $"resident memory is {Mib(rss)} (threshold {Mib(watch.MaxBytes)})" : null);

    /// <summary><c>cpu</c> (warning): CPU use (a share of all cores) above its threshold between two evaluations.</summary>
    public static SelfWatchCheck Cpu(RatioWatch watch, Func<double?> cpu) =>
        new("cpu", AlertSeverity.Warning, watch.For, () =>
            cpu() is { } used && used > watch.Max ? $"CPU use is {Percent(used)} of all cores (threshold {Percent(watch.Max)})" : null);

    /// <summary><c>disk</c> (warning): the file system under the data directory fuller than its threshold.</summary>
    public static SelfWatchCheck Disk(RatioWatch watch, Func<DiskUsage?> disk) =>
        new("disk", AlertSeverity.Warning, watch.For, () =>
            disk() is { } now && now.UsedRatio > watch.Max
                ? $"the data directory's file system is {Percent(now.UsedRatio)} full ({Mib(now.UsedBytes)} of {Mib(now.TotalBytes)}, threshold {Percent(watch.Max)})"
                : null);

    /// <summary>
    /// <c>alert-delivery</c> (warning): the alerts worker gave up on a delivery within the window — Telegram (or GitHub)
    /// is not taking the daemon's alerts, so this one may not arrive either: it is for the log and <c>/health</c>.
    /// </summary>
    public static SelfWatchCheck AlertDelivery(WindowWatch watch, OutcomeWindow abandoned) =>
        new("alert-delivery", AlertSeverity.Warning, watch.For, () =>
            abandoned.Totals().Failed is var count and > 0
                ? $"alert deliveries abandoned in the last {Duration(watch.Window)}: {count}; alerts are not reaching their channel (see the log and /api/audit)"
                : null);

    /// <summary>A duration for humans, in the invariant culture: <c>30 min</c>, <c>45 s</c>, <c>2 h 5 min</c>.</summary>
    internal static string Duration(TimeSpan span) =>
        span >= TimeSpan.FromHours(1) ? $"{(int)span.TotalHours} h{(span.Minutes > 0 ? $" {span.Minutes} min" : "")}"
        : span >= TimeSpan.FromMinutes(1) ? $"{(int)span.TotalMinutes} min{(span.Seconds > 0 ? $" {span.Seconds} s" : "")}"
        : $"{(int)span.TotalSeconds} s";

    private static string Percent(double ratio) => (ratio * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";

    private static string Mib(long bytes) => (bytes / 1024d / 1024d).ToString("0", CultureInfo.InvariantCulture) + " MiB";
}
