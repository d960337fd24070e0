using System.Diagnostics;
using System.Diagnostics.Metrics;
using Akka.Actor;
using Autopilot.Daemon.Runtime;

namespace Autopilot.Daemon.Metrics;

/// <summary>
/// The <c>Autopilot</c> meter and its instruments. The daemon records what it sees at its edge (webhooks, journal
/// writes, audit events, the actor tree); agents and platform clients record the rest through the methods here, so
/// every number in <c>/metrics</c> has one owner and one name.
/// </summary>
public sealed class AutopilotMetrics : IDisposable
{
    /// <summary>Name of the meter; a <see cref="MeterListener"/> subscribes to it by this name.</summary>
    public const string MeterName = "Autopilot";

    private readonly Counter<long> _messagesProcessed;
    private readonly Histogram<double> _persistLatency;
    private readonly Counter<long> _actions;
    private readonly Histogram<double> _platformCalls;
    private readonly Counter<long> _alerts;
    private readonly Counter<long> _webhooks;
    private Func<ActorSystem?> _actorSystem = () => null;

    /// <summary>Creates the meter and its instruments.</summary>
    public AutopilotMetrics()
    {
        Meter = new Meter(MeterName);
        _messagesProcessed = Meter.CreateCounter<long>("autopilot_messages_processed", "messages", "Messages handled by actors, by actor.");
        _persistLatency = Meter.CreateHistogram<double>("autopilot_persist_latency", "s", "Time from a journal write to its commit.");
        _actions = Meter.CreateCounter<long>("autopilot_actions", "actions", "Actions finished by workers, by worker and result.");
        _platformCalls = Meter.CreateHistogram<double>("autopilot_platform_call_duration", "s", "Duration of calls to platform APIs, by platform, operation and outcome.");
        _alerts = Meter.CreateCounter<long>("autopilot_alerts_sent", "alerts", "Alerts sent, by severity.");
        _webhooks = Meter.CreateCounter<long>("autopilot_webhooks", "requests", "Webhook deliveries, by source and outcome.");
        Meter.CreateObservableGauge("autopilot_mailbox_depth", ObserveMailboxDepth, "messages", "Messages waiting in each actor's mailbox.");
        Meter.CreateObservableCounter("autopilot_actor_restarts", ObserveRestarts, "restarts", "Restarts of each actor since it was created.");
    }

    /// <summary>The meter (for listeners).</summary>
    public Meter Meter { get; }

    /// <summary>Lets the mailbox-depth and restart instruments read the actor tree once the system is running.</summary>
    public void AttachActorSystem(ActorSystem system) => _actorSystem = () => system;

    /// <summary>An actor handled a message.</summary>
    public void RecordMessageProcessed(string actor) => _messagesProcessed.Add(1, new KeyValuePair<string, object?>("actor", actor));

    /// <summary>A journal write committed after <paramref name="elapsed"/>.</summary>
    public void RecordPersistLatency(TimeSpan elapsed, string outcome) =>
        _persistLatency.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>A worker finished an action (fed from the audit trail by <see cref="AuditMetricsProjection"/>).</summary>
    /// <param name="worker">railway, github, n8n, fallback, alerts, health.</param>
    /// <param name="result"><c>success</c> or <c>failure</c>.</param>
    public void RecordAction(string worker, string result) =>
        _actions.Add(1, new KeyValuePair<string, object?>("worker", worker), new KeyValuePair<string, object?>("result", result));

    /// <summary>A platform API call finished.</summary>
    public void RecordPlatformCall(string platform, string operation, int? statusCode, TimeSpan duration) =>
        _platformCalls.Record(duration.TotalSeconds,
            new KeyValuePair<string, object?>("platform", platform),
            new KeyValuePair<string, object?>("operation", operation),
            new KeyValuePair<string, object?>("status", statusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"));

    /// <summary>An alert was sent (fed from the audit trail by <see cref="AuditMetricsProjection"/>).</summary>
    public void RecordAlert(string severity) => _alerts.Add(1, new KeyValuePair<string, object?>("severity", severity));

    /// <summary>A webhook delivery was answered.</summary>
    /// <param name="source">github, railway, n8n.</param>
    /// <param name="outcome">accepted, duplicate, unauthorized, malformed, too_large, unavailable.</param>
    public void RecordWebhook(string source, string outcome) =>
        _webhooks.Add(1, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>Times a block for <see cref="RecordPersistLatency"/> and friends.</summary>
    public static long Timestamp() => Stopwatch.GetTimestamp();

    /// <inheritdoc />
    public void Dispose() => Meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveMailboxDepth() =>
        Flatten().Select(n => new Measurement<long>(n.MailboxDepth, new KeyValuePair<string, object?>("actor", ShortPath(n.Path))));

    private IEnumerable<Measurement<long>> ObserveRestarts() =>
        Flatten().Select(n => new Measurement<long>(n.RestartCount, new KeyValuePair<string, object?>("actor", ShortPath(n.Path))));

    private IEnumerable<ActorTreeNode> Flatten()
    {
        var system = _actorSystem();
        if (system is null)
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
