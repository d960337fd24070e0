using Akka.Actor;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Metrics;
using Autopilot.Platforms.Redaction;
using Microsoft.Extensions.Logging;

namespace Autopilot.Daemon.SelfWatch;

/// <summary>Evaluates every self-watch condition now (the <see cref="SelfWatcher"/>'s timer sends it every interval).</summary>
public sealed record EvaluateSelfWatch
{
    /// <summary>The one instance.</summary>
    public static readonly EvaluateSelfWatch Instance = new();
}

/// <summary>
/// The daemon watching itself (<c>/user/self-watch</c> on every node): evaluates its <see cref="SelfWatchCheck"/>s on a
/// timer and turns each condition's transitions into exactly one alert when it has held for its "for" duration and one
/// "resolved" alert when it clears — never one per tick. Alerts go to the orchestrator as <see cref="RaiseAlert"/>
/// (recorded, then sent by the alerts worker with its storm control); every transition is also logged and the active
/// conditions are kept in <see cref="SelfWatchStatus"/> for <c>/health</c>, so a condition stays visible when the alert
/// cannot be delivered (Telegram failing, the journal failing, no orchestrator on this node yet).
/// </summary>
public sealed class SelfWatcher : ReceiveActor, IWithTimers
{
    private const string TickTimer = "evaluate";
    private readonly IReadOnlyList<SelfWatchCheck> _checks;
    private readonly Func<IActorRef?> _alerts;
    private readonly SelfWatchStatus _status;
    private readonly AutopilotMetrics _metrics;
    private readonly Redactor _redactor;
    private readonly TimeSpan _interval;
    private readonly string _node;
    private readonly Dictionary<string, DateTimeOffset> _holdingSince = new(StringComparer.Ordinal);
    private readonly HashSet<string> _alerted = new(StringComparer.Ordinal);
    private readonly ILogger _log;

    /// <summary>Creates the watcher; prefer <see cref="Props"/>.</summary>
    public SelfWatcher(string node, IReadOnlyList<SelfWatchCheck> checks, TimeSpan interval, Func<IActorRef?> alerts, SelfWatchStatus status, AutopilotMetrics metrics,
        Redactor redactor, ILogger log)
    {
        _node = node;
        _log = log;
        _checks = checks;
        _interval = interval;
        _alerts = alerts;
        _status = status;
        _metrics = metrics;
        _redactor = redactor;
        Receive<EvaluateSelfWatch>(_ => Evaluate());
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of the watcher.</summary>
    /// <param name="node">This node's name: in the alerts' titles and fingerprints (every member watches itself).</param>
    /// <param name="checks">The conditions (names unique).</param>
    /// <param name="interval">Time between evaluations.</param>
    /// <param name="alerts">Where <see cref="RaiseAlert"/> goes: the orchestrator (or its proxy), null while there is none.</param>
    /// <param name="status">What <c>/health</c> shows.</param>
    /// <param name="metrics">Instruments (<c>autopilot_self_watch_active</c>).</param>
    /// <param name="redactor">Masks secrets in measured details before they are alerted or logged.</param>
    /// <param name="log">
    /// The daemon's own logger (not Akka's, which goes through the process-wide Serilog logger): the transitions must reach
    /// this daemon's log even when the alert cannot be delivered.
    /// </param>
    public static Props Props(string node, IReadOnlyList<SelfWatchCheck> checks, TimeSpan interval, Func<IActorRef?> alerts, SelfWatchStatus status, AutopilotMetrics metrics,
        Redactor redactor, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(checks);
        if (checks.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count() != checks.Count)
        {
            throw new ArgumentException("Two self-watch conditions have the same name.", nameof(checks));
        }

        return Akka.Actor.Props.Create(() => new SelfWatcher(node, checks, interval, alerts, status, metrics, redactor, log));
    }

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    /// <inheritdoc />
    protected override void PreStart()
    {
        foreach (var check in _checks)
        {
            _metrics.RecordSelfWatch(check.Name, active: false);
        }

        Timers.StartPeriodicTimer(TickTimer, EvaluateSelfWatch.Instance, _interval);
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        // A stopped watcher judges nothing: /health must not keep showing what it last saw.
        foreach (var name in _alerted)
        {
            _status.Clear(name);
        }
    }

    private void Evaluate()
    {
        var now = Now;
        foreach (var check in _checks)
        {
            string? detail;
            try
            {
                detail = check.Probe();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A measurement that cannot be taken judges nothing: the condition keeps its state until the next tick.
                _log.LogWarning("Self-watch could not measure {Condition}: {Reason}", check.Name, e.Message);
                continue;
            }

            if (detail is not null)
            {
                Holds(check, _redactor.Redact(detail), now);
            }
            else
            {
                Clears(check, now);
            }
        }
    }

    private void Holds(SelfWatchCheck check, string detail, DateTimeOffset now)
    {
        if (!_holdingSince.TryGetValue(check.Name, out var since))
        {
            since = now;
            _holdingSince[check.Name] = since;
        }

        if (_alerted.Contains(check.Name))
        {
            // Still holding: /health shows the latest measurement, nobody is told again.
            _status.Set(new ActiveCondition(check.Name, detail, since));
            return;
        }

        if (now - since < check.For)
        {
            return;
        }

        _alerted.Add(check.Name);
        _status.Set(new ActiveCondition(check.Name, detail, since));
        _metrics.RecordSelfWatch(check.Name, active: true);
        _log.LogWarning("Self-watch: {Condition} since {Since:O}: {Detail}", check.Name, since, detail);
        Alert(new RaiseAlert(check.Severity, $"Self-watch on {_node}: {check.Name}", detail, Fingerprint(check.Name)));
    }

    private void Clears(SelfWatchCheck check, DateTimeOffset now)
    {
        if (!_holdingSince.Remove(check.Name, out var since) || !_alerted.Remove(check.Name))
        {
            return;
        }

        _status.Clear(check.Name);
        _metrics.RecordSelfWatch(check.Name, active: false);
        var lasted = now - since;
        _log.LogInformation("Self-watch: {Condition} resolved after {Duration}", check.Name, SelfWatchChecks.Duration(lasted));
        // Its own fingerprint: the storm control must never fold a resolution into the alert it resolves.
        Alert(new RaiseAlert(AlertSeverity.Warning, $"Resolved: self-watch on {_node}: {check.Name}", $"{check.Name} no longer holds (it held for {SelfWatchChecks.Duration(lasted)}).",
            $"{Fingerprint(check.Name)}:resolved"));
    }

    private void Alert(RaiseAlert alert)
    {
        if (_alerts() is { } target)
        {
            target.Tell(alert);
        }
        else
        {
            _log.LogWarning("Self-watch: no orchestrator on this node to alert {Title}; it is in the log and on /health", alert.Title);
        }
    }

    private string Fingerprint(string condition) => $"self-watch:{_node}:{condition}";
}
