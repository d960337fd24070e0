using System.Collections.Concurrent;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Metrics;
using Autopilot.Daemon.Persistence;
using Prometheus;

namespace Autopilot.Daemon.SelfWatch;

/// <summary>
/// What the self-watch measures that nothing else keeps: sliding windows of platform call outcomes and of webhook and
/// API request durations, the queue depths by name, the process's CPU. Also exposes on <c>/metrics</c> the gauges the
/// shipped Prometheus rules need beside the existing series: <c>autopilot_journal_up</c>,
/// <c>autopilot_data_dir_disk_used_ratio</c> and <c>autopilot_queue_depth{queue}</c>, read at scrape time, and
/// <c>autopilot_cpu_cores</c>.
/// </summary>
public sealed class SelfWatchMeasurements
{
    private readonly ConcurrentDictionary<string, Func<long?>> _queues = new(StringComparer.Ordinal);

    /// <summary>Creates the windows and registers the gauges in <paramref name="metrics"/>' registry.</summary>
    public SelfWatchMeasurements(SelfWatchSettings settings, DaemonSettings daemon, AutopilotMetrics metrics, JournalHealth journal, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(metrics);
        DataDirectory = daemon.DataDirectory;
        PlatformCalls = new OutcomeWindow(settings.PlatformErrors.Window, time);
        WebhookRequests = new LatencyWindow(settings.WebhookLatency.Window, time);
        ApiRequests = new LatencyWindow(settings.ApiLatency.Window, time);
        Process = new ProcessUsage(time);
        AbandonedAlerts = new OutcomeWindow(settings.AlertDelivery.Window, time);
        metrics.AlertDeliveryAbandoned += _ => AbandonedAlerts.Record(failed: true);
        // 5xx and no answer at all are the platform's failures; 4xx are the daemon's own mistakes or expected refusals.
        metrics.PlatformCallFinished += status => PlatformCalls.Record(status is null or >= 500);

        var journalUp = metrics.Factory.CreateGauge("autopilot_journal_up", "1 while the journal database answers its probe, else 0.");
        var diskUsed = metrics.Factory.CreateGauge("autopilot_data_dir_disk_used_ratio", "Used share (0 to 1) of the file system under the data directory.");
        // process_cpu_seconds_total is in core-seconds: a rule divides by this to judge a share of all cores.
        metrics.Factory.CreateGauge("autopilot_cpu_cores", "Processor cores available to the daemon.").Set(Environment.ProcessorCount);
        var queueDepth = metrics.Factory.CreateGauge("autopilot_queue_depth", "Items waiting in each of the daemon's queues, by queue.", ["queue"]);
        metrics.Registry.AddBeforeCollectCallback(() =>
        {
            journalUp.Set(journal.Current.Status == JournalHealth.Unreachable ? 0 : 1);
            if (DiskUsage.Of(DataDirectory) is { } disk)
            {
                diskUsed.Set(disk.UsedRatio);
            }

            foreach (var (name, depth) in _queues)
            {
                if (depth() is { } value)
                {
                    queueDepth.WithLabels(name).Set(value);
                }
                else
                {
                    queueDepth.RemoveLabelled(name); // unknown (or measured on another member) is no series, not a stale one
                }
            }
        });
    }

    /// <summary>The data directory whose file system is watched.</summary>
    public string DataDirectory { get; }

    /// <summary>Platform API call outcomes (failed: 5xx or no answer) over <see cref="PlatformErrorWatch.Window"/>.</summary>
    public OutcomeWindow PlatformCalls { get; }

    /// <summary>Durations of webhook requests.</summary>
    public LatencyWindow WebhookRequests { get; }

    /// <summary>Durations of admin API requests (event streams excluded).</summary>
    public LatencyWindow ApiRequests { get; }

    /// <summary>Alert deliveries abandoned by the alerts worker over <see cref="WindowWatch.Window"/>.</summary>
    public OutcomeWindow AbandonedAlerts { get; }

    /// <summary>The process's CPU between evaluations.</summary>
    public ProcessUsage Process { get; }

    /// <summary>
    /// Makes the queue <paramref name="name"/> (one of <see cref="QueueWatch.Known"/>) measurable: <paramref name="depth"/>
    /// answers the items waiting now, or null while the queue does not exist (e.g. its actor is restarting).
    /// </summary>
    public void AddQueue(string name, Func<long?> depth) => _queues[name] = depth;

    /// <summary>The depth of queue <paramref name="name"/> now, or null when it is not measurable.</summary>
    public long? QueueDepth(string name) => _queues.TryGetValue(name, out var depth) ? depth() : null;
}
