using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Autopilot.Daemon.Runtime;
using Prometheus;

namespace Autopilot.Daemon.Metrics;

/// <summary>
/// The product's Prometheus series, defined with prometheus-net in one <see cref="CollectorRegistry"/> per daemon (so
/// two daemons in one process, e.g. tests, never share counts). The daemon records what it sees at its edge (webhooks,
/// journal writes, audit events, the actor tree); agents and platform clients record the rest through the methods here,
/// so every number in <c>/metrics</c> has one owner and one name. <c>/metrics</c> serves <see cref="Registry"/>, which
/// also holds prometheus-net.AspNetCore's HTTP request metrics (<c>http_request_duration_seconds</c> and friends).
/// </summary>
/// <remarks>
/// Label names are declared in alphabetical order (the exposition writes them in declaration order, and the series
/// names, types and label sets are the ones the hand-written exposition produced before). Label values come from fixed
/// vocabularies (outcomes, results, severities, HTTP methods and status codes, platform names) and actor paths: never
/// from request data, so a secret cannot become a label value.
/// </remarks>
public sealed class AutopilotMetrics : IDisposable
{
    /// <summary>Bucket bounds (seconds) of the duration histograms.</summary>
    public static readonly double[] Buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Counter _messagesProcessed;
    private readonly Histogram _persistLatency;
    private readonly Counter _actions;
    private readonly Histogram _platformCalls;
    private readonly Counter _alerts;
    private readonly Counter _webhooks;
    private readonly Gauge _mailboxDepth;
    private readonly Counter _actorRestarts;
    private readonly Gauge _selfWatchActive;
    private readonly Gauge _leaseHeld;
    private readonly Counter _alertsAbandoned;
    private readonly object _treeGate = new();
    private HashSet<string> _actorsSeen = new(StringComparer.Ordinal);
    private Func<ActorSystem?> _actorSystem = () => null;

    /// <summary>Creates the series in a fresh registry (or in <paramref name="registry"/>).</summary>
    public AutopilotMetrics(CollectorRegistry? registry = null)
    {
        Registry = registry ?? Prometheus.Metrics.NewCustomRegistry();
        Factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _messagesProcessed = Factory.CreateCounter("autopilot_messages_processed_total", "Messages handled by actors, by actor.", ["actor"]);
        _persistLatency = Factory.CreateHistogram("autopilot_persist_latency_seconds", "Time from a journal write to its commit.",
            new HistogramConfiguration { LabelNames = ["outcome"], Buckets = Buckets });
        // Present from the start at 0, so a rate over them (docs/prometheus-alerts.yml) has a series before the first failure.
        _persistLatency.WithLabels("failed");
        _persistLatency.WithLabels("rejected");
        _actions = Factory.CreateCounter("autopilot_actions_total", "Actions finished by workers, by worker and result.", ["result", "worker"]);
        _platformCalls = Factory.CreateHistogram("autopilot_platform_call_duration_seconds",
            "Duration of calls to platform APIs, by platform, operation and outcome.",
            new HistogramConfiguration { LabelNames = ["operation", "platform", "status"], Buckets = Buckets });
        _alerts = Factory.CreateCounter("autopilot_alerts_sent_total", "Alerts sent, by severity.", ["severity"]);
        _webhooks = Factory.CreateCounter("autopilot_webhooks_total", "Webhook deliveries, by source and outcome.", ["outcome", "source"]);
        _mailboxDepth = Factory.CreateGauge("autopilot_mailbox_depth", "Messages waiting in each actor's mailbox.", ["actor"]);
        _actorRestarts = Factory.CreateCounter("autopilot_actor_restarts_total",
            "Restarts of each actor at its path since the daemon started (in place, by the orchestrator or by a backoff supervisor).", ["actor"]);
        _selfWatchActive = Factory.CreateGauge("autopilot_self_watch_active",
            "1 while a self-watch condition holds and was alerted, else 0, by condition (docs/operations.md).", ["condition"]);
        _leaseHeld = Factory.CreateGauge("autopilot_singleton_lease_held",
            "1 on the member that holds a cluster singleton's lease, 0 on the others (clustered mode only), by singleton.", ["singleton"]);
        _alertsAbandoned = Factory.CreateCounter("autopilot_alert_deliveries_abandoned_total",
            "Alert deliveries the alerts worker gave up on after its retries, by channel (from the audit trail).", ["channel"]);
        _alertsAbandoned.WithLabels(Autopilot.Agents.Alerts.AlertChannelNames.Telegram);
        _alertsAbandoned.WithLabels(Autopilot.Agents.Alerts.AlertChannelNames.GitHub);
        // process_working_set_bytes, process_cpu_seconds_total and friends: what the alerting rules judge memory and CPU by.
        ProcessMetrics.Register(Registry);
        // Mailbox depths are read from the actor tree at scrape time; restarts are counted as they happen (RecordStart).
        Registry.AddBeforeCollectCallback(ObserveActorTree);
    }

    /// <summary>The registry <c>/metrics</c> serves (the product's series and the HTTP request metrics).</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Creates more series in <see cref="Registry"/> (prometheus-net.AspNetCore's HTTP metrics use it).</summary>
    public IMetricFactory Factory { get; }

    /// <summary>Lets the mailbox-depth series read the actor tree once the system is running.</summary>
    public void AttachActorSystem(ActorSystem system) => _actorSystem = () => system;

    /// <summary>An actor handled a message.</summary>
    public void RecordMessageProcessed(string actor) => _messagesProcessed.WithLabels(actor).Inc();

    /// <summary>A journal write committed (or not: <paramref name="outcome"/>) after <paramref name="elapsed"/>.</summary>
    public void RecordPersistLatency(TimeSpan elapsed, string outcome) => _persistLatency.WithLabels(outcome).Observe(elapsed.TotalSeconds);

    /// <summary>A worker finished an action (fed from the audit trail by <see cref="AuditMetricsProjection"/>).</summary>
    /// <param name="worker">railway, github, n8n, fallback, alerts, health.</param>
    /// <param name="result"><c>success</c> or <c>failure</c>.</param>
    public void RecordAction(string worker, string result) => _actions.WithLabels(result, worker).Inc();

    /// <summary>A platform API call finished.</summary>
    public void RecordPlatformCall(string platform, string operation, int? statusCode, TimeSpan duration)
    {
        _platformCalls.WithLabels(operation, platform, statusCode?.ToString(CultureInfo.InvariantCulture) ?? "none").Observe(duration.TotalSeconds);
        PlatformCallFinished?.Invoke(statusCode);
    }

    /// <summary>
    /// Raised after each <see cref="RecordPlatformCall"/> with its status (null: no response), so the self-watch can keep
    /// its sliding error-rate window without a second measuring handler.
    /// </summary>
    public event Action<int?>? PlatformCallFinished;

    /// <summary>Journal writes of the intake that failed or were rejected since the daemon started.</summary>
    public long FailedJournalWrites => (long)(_persistLatency.WithLabels("failed").Count + _persistLatency.WithLabels("rejected").Count);

    /// <summary>
    /// The alerts worker gave up delivering an alert to <paramref name="channel"/> (fed from the audit trail by
    /// <see cref="AuditMetricsProjection"/>); raises <see cref="AlertDeliveryAbandoned"/>.
    /// </summary>
    public void RecordAlertAbandoned(string channel)
    {
        _alertsAbandoned.WithLabels(channel).Inc();
        AlertDeliveryAbandoned?.Invoke(channel);
    }

    /// <summary>Raised after each <see cref="RecordAlertAbandoned"/> with the channel: the self-watch's alert-delivery window.</summary>
    public event Action<string>? AlertDeliveryAbandoned;

    /// <summary>A self-watch condition was alerted (<paramref name="active"/>) or resolved.</summary>
    public void RecordSelfWatch(string condition, bool active) => _selfWatchActive.WithLabels(condition).Set(active ? 1 : 0);

    /// <summary>Whether this member holds the lease of <paramref name="singleton"/> (clustered mode).</summary>
    public void RecordLeaseHeld(string singleton, bool held) => _leaseHeld.WithLabels(singleton).Set(held ? 1 : 0);

    /// <summary>An alert was sent (fed from the audit trail by <see cref="AuditMetricsProjection"/>).</summary>
    public void RecordAlert(string severity) => _alerts.WithLabels(severity).Inc();

    /// <summary>
    /// The actor at <paramref name="path"/> (without address) started (see <see cref="RestartCounter"/>): its restart
    /// series exists from its first start (at 0) and counts every later one.
    /// </summary>
    public void RecordStart(string path, bool restart)
    {
        var series = _actorRestarts.WithLabels(path);
        if (restart)
        {
            series.Inc();
        }
    }

    /// <summary>A webhook delivery was answered.</summary>
    /// <param name="source">github, railway, n8n.</param>
    /// <param name="outcome">accepted, duplicate, unauthorized, malformed, too_large, unavailable.</param>
    public void RecordWebhook(string source, string outcome) => _webhooks.WithLabels(outcome, source).Inc();

    /// <summary>Times a block for <see cref="RecordPersistLatency"/> and friends.</summary>
    public static long Timestamp() => Stopwatch.GetTimestamp();

    /// <inheritdoc />
    public void Dispose() => _actorSystem = () => null;

    private void ObserveActorTree()
    {
        lock (_treeGate)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var node in Flatten())
            {
                var actor = ShortPath(node.Path);
                if (!seen.Add(actor))
                {
                    continue;
                }

                _mailboxDepth.WithLabels(actor).Set(node.MailboxDepth);
            }

            // Actors that stopped since the last scrape leave the exposition, as they did before.
            foreach (var gone in _actorsSeen.Where(a => !seen.Contains(a)))
            {
                _mailboxDepth.RemoveLabelled(gone);
            }

            _actorsSeen = seen;
        }
    }

    private IEnumerable<ActorTreeNode> Flatten()
    {
        ActorSystem? system;
        try
        {
            system = _actorSystem();
            if (system is null || system.WhenTerminated.IsCompleted)
            {
                return [];
            }
        }
        catch (ObjectDisposedException)
        {
            return [];
        }

        var all = new List<ActorTreeNode>();
        var pending = new Stack<ActorTreeNode>(ActorTreeSnapshot.Capture(system));
        while (pending.TryPop(out var node))
        {
            all.Add(node);
            foreach (var child in node.Children)
            {
                pending.Push(child);
            }
        }

        return all;
    }

    private static string ShortPath(string path)
    {
        var user = path.IndexOf("/user/", StringComparison.Ordinal);
        return user < 0 ? path : path[user..];
    }
}
