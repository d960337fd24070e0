using Akka.Actor;
using Akka.Event;
using Autopilot.Agents.Fencing;
using Autopilot.Agents.Protocol;
using Autopilot.Platforms.Railway;
using Autopilot.Platforms.Redaction;

namespace Autopilot.Agents.Health;

/// <summary>
/// The self-heal loop (worker <c>health</c>). Every target is probed with GET on an interval and its status and
/// response time kept. A failed probe is retried (3× by default); when the retries fail too the failure is reported
/// (<see cref="HealthCheckFailed"/>) and the orchestrator decides: its policy (by default) records and sends a
/// <see cref="RedeployTarget"/>, so pause, dry-run and the action budget apply and the redeploy is on the record
/// before it happens. The worker then redeploys the target's Railway service through <see cref="IRailwayClient"/> and
/// verifies the target after the redeploy wait. If it still fails — or cannot be redeployed — a CRITICAL alert goes
/// out, which the alerts worker turns into Telegram plus a GitHub issue. At most one redeploy per outage: after giving
/// up the target is only watched until it recovers.
/// Before outright failure, an EWMA detector flags response times that stand out from the baseline (WARNING).
/// The redeploy passes the node's <see cref="IActionFence"/> right before its call; a refused one is answered as failed
/// with <see cref="ActionFence.NotHeldError"/> and the target keeps waiting for a decision. Probes are reads: not fenced.
/// </summary>
public sealed class HealthProbe : ReceiveActor, IWithTimers
{
    private const int ReasonLength = 200;
    private readonly HealthSettings _settings;
    private readonly HttpClient _http;
    private readonly IRailwayClient? _railway;
    private readonly Redactor _redactor;
    private readonly IActorRef? _alerts;
    private readonly IActionFence _fence;
    private readonly Dictionary<string, TargetState> _targets;
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Creates the worker; prefer <see cref="Props"/>.</summary>
    public HealthProbe(HealthSettings settings, HttpClient http, IRailwayClient? railway, Redactor redactor, IActorRef? alerts, IActionFence? fence = null)
    {
        _fence = fence ?? ActionFence.Unfenced;
        _settings = settings;
        _http = http;
        _railway = railway;
        _redactor = redactor;
        _alerts = alerts;
        _targets = settings.Targets.ToDictionary(t => t.Name, t => new TargetState(t, settings.NewDetector()), StringComparer.Ordinal);

        Receive<ProbeTick>(t => OnTick(t.Target));
        Receive<RetryProbe>(r => Probe(r.Target));
        Receive<VerifyNow>(v => Probe(v.Target));
        Receive<ProbeFinished>(OnProbeFinished);
        Receive<ProbeTimedOut>(OnProbeTimedOut);
        Receive<RedeployTarget>(OnRedeployTarget);
        Receive<RedeployFinished>(OnRedeployFinished);
        Receive<CheckHealth>(OnCheckHealth);
        Receive<GetHealthStatus>(_ => Sender.Tell(new HealthStatus(_settings.Targets.Select(t => _targets[t.Name].View()).ToArray())));
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>
    /// Props for the worker. <paramref name="http"/> should have no timeout of its own (probes are timed on the actor
    /// system's clock); <paramref name="railway"/> null disables redeploys. Alerts go to <paramref name="alerts"/> when
    /// given, otherwise to the parent (which forwards <see cref="RaiseAlert"/> to its alerts worker). <paramref name="fence"/>
    /// is the node's lease (null: a single node, nothing fenced).
    /// </summary>
    public static Props Props(HealthSettings settings, HttpClient http, IRailwayClient? railway, Redactor redactor, IActorRef? alerts = null, IActionFence? fence = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(redactor);
        var actions = fence ?? ActionFence.Unfenced;
        return Akka.Actor.Props.Create(() => new HealthProbe(settings, http, railway, redactor, alerts, actions));
    }

    private enum Phase
    {
        Watching,
        Retrying,
        AwaitingDecision,
        Redeploying,
        Verifying,
        GaveUp,
    }

    private sealed record ProbeTick(string Target);

    private sealed record RetryProbe(string Target);

    private sealed record VerifyNow(string Target);

    private sealed record ProbeFinished(string Target, int Probe, int? StatusCode, string? Error);

    private sealed record ProbeTimedOut(string Target, int Probe);

    private sealed record RedeployFinished(string Target, string ActionId, IActorRef RequestedBy, bool Success, string Detail);

    private sealed class TargetState(HealthTarget target, EwmaDetector detector)
    {
        public HealthTarget Target { get; } = target;
        public EwmaDetector Detector { get; } = detector;
        public Phase Phase { get; set; } = Phase.Watching;
        public int Failures { get; set; }
        public bool FailureReported { get; set; }
        public int Probe { get; set; }
        public bool InFlight { get; set; }
        public DateTimeOffset StartedAt { get; set; }
        public CancellationTokenSource? Cancel { get; set; }
        public bool? Healthy { get; set; }
        public int? StatusCode { get; set; }
        public TimeSpan? ResponseTime { get; set; }
        public string? Reason { get; set; }
        public DateTimeOffset? CheckedAt { get; set; }

        /// <summary>True once the detector has seen a healthy sample (its mean is a baseline only then).</summary>
        public bool Baselined { get; set; }

        public TargetHealth View() => new(Target.Name, Healthy, StatusCode, ResponseTime, Reason, CheckedAt,
            Phase switch
            {
                Phase.Watching => "watching",
                Phase.Retrying => "retrying",
                Phase.AwaitingDecision => "failing",
                Phase.Redeploying => "redeploying",
                Phase.Verifying => "verifying",
                _ => "gave-up",
            },
            Failures);
    }

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    /// <inheritdoc />
    protected override void PreStart()
    {
        IncarnationStarted.Announce(Context);
        foreach (var target in _settings.Targets)
        {
            Timers.StartPeriodicTimer($"tick:{target.Name}", new ProbeTick(target.Name), TimeSpan.Zero, _settings.Interval);
        }
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }

    private void OnTick(string name)
    {
        // A retry, redeploy or verification in progress owns the target until it concludes.
        if (_targets[name].Phase is Phase.Watching or Phase.AwaitingDecision or Phase.GaveUp)
        {
            Probe(name);
        }
    }

    private void Probe(string name)
    {
        var state = _targets[name];
        if (state.InFlight)
        {
            return;
        }

        state.Probe++;
        state.InFlight = true;
        state.StartedAt = Now;
        state.Cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var probe = state.Probe;
        var self = Self;
        Timers.StartSingleTimer($"timeout:{name}", new ProbeTimedOut(name, probe), _settings.ProbeTimeout);
        GetAsync(state.Target.Url, state.Cancel.Token).ContinueWith(
            done => self.Tell(done.IsCompletedSuccessfully
                ? new ProbeFinished(name, probe, done.Result, null)
                : new ProbeFinished(name, probe, null, done.IsCanceled ? "cancelled" : done.Exception!.GetBaseException().Message)),
            TaskScheduler.Default);
    }

    private async Task<int> GetAsync(Uri url, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    private void OnProbeTimedOut(ProbeTimedOut timedOut)
    {
        var state = _targets[timedOut.Target];
        if (!state.InFlight || state.Probe != timedOut.Probe)
        {
            return;
        }

        state.Cancel?.Cancel();
        Conclude(state, null, _settings.ProbeTimeout, $"no answer within {_settings.ProbeTimeout.TotalSeconds:0.###}s");
    }

    private void OnProbeFinished(ProbeFinished finished)
    {
        var state = _targets[finished.Target];
        if (!state.InFlight || state.Probe != finished.Probe)
        {
            return; // a probe that already timed out
        }

        Timers.Cancel($"timeout:{finished.Target}");
        var elapsed = Now - state.StartedAt;
        var reason = finished.Error is not null
            ? $"unreachable: {_redactor.Snippet(finished.Error, ReasonLength)}"
            : finished.StatusCode is >= 200 and < 300 ? null : $"answered {finished.StatusCode}";
        Conclude(state, finished.StatusCode, elapsed, reason);
    }

    private void Conclude(TargetState state, int? statusCode, TimeSpan responseTime, string? failure)
    {
        state.InFlight = false;
        state.Cancel?.Dispose();
        state.Cancel = null;
        state.Healthy = failure is null;
        state.StatusCode = statusCode;
        state.ResponseTime = responseTime;
        state.Reason = failure;
        state.CheckedAt = Now;
        if (failure is null)
        {
            Healthy(state, responseTime);
        }
        else
        {
            Failed(state, failure);
        }

        // After Healthy/Failed, so the record carries the baseline this probe left behind.
        Context.System.EventStream.Publish(new HealthProbed(state.Target.Name, state.Target.Service, failure is null, statusCode, responseTime.TotalMilliseconds,
            state.Baselined ? state.Detector.Mean.TotalMilliseconds : null, failure, state.CheckedAt.Value, _settings.Interval));
    }

    private void Healthy(TargetState state, TimeSpan responseTime)
    {
        var target = state.Target;
        if (state.FailureReported)
        {
            Context.Parent.Tell(new WorkerReport(WorkerNames.Health, new HealthCheckRecovered(target.Name, Now, target.Service)));
            Alert(AlertSeverity.Info, $"{target.Name} is healthy again", $"{target.Url} answers again after {state.Failures} failed probes.", "recovered", target);
        }

        state.Phase = Phase.Watching;
        state.Failures = 0;
        state.FailureReported = false;
        state.Baselined = true;
        var verdict = state.Detector.Observe(responseTime);
        if (verdict.Degraded)
        {
            Alert(AlertSeverity.Warning, $"{target.Name} responds slowly",
                $"{target.Url} took {verdict.ResponseTime.TotalMilliseconds:0} ms against a baseline of {verdict.Baseline.TotalMilliseconds:0} ms "
                + $"(limit {verdict.Limit.TotalMilliseconds:0} ms): degrading before it fails?", "degraded", target);
        }
    }

    private void Failed(TargetState state, string reason)
    {
        var target = state.Target;
        state.Failures++;
        switch (state.Phase)
        {
            case Phase.Watching when _settings.Retries > 0:
                state.Phase = Phase.Retrying;
                Timers.StartSingleTimer($"retry:{target.Name}", new RetryProbe(target.Name), _settings.RetryDelay);
                break;
            case Phase.Retrying when state.Failures <= _settings.Retries:
                Timers.StartSingleTimer($"retry:{target.Name}", new RetryProbe(target.Name), _settings.RetryDelay);
                break;
            case Phase.Watching or Phase.Retrying:
                // Reported once per outage; whether to redeploy is the orchestrator's decision (RedeployTarget).
                state.FailureReported = true;
                state.Phase = Phase.AwaitingDecision;
                Context.Parent.Tell(new WorkerReport(WorkerNames.Health, new HealthCheckFailed(target.Name, reason, state.Failures, Now, target.Service)));
                break;
            case Phase.Verifying:
                GiveUp(state, $"still failing {_settings.RedeployWait.TotalSeconds:0}s after the redeploy: {reason}.");
                break;
        }
    }

    private void OnRedeployTarget(RedeployTarget command)
    {
        if (!_targets.TryGetValue(command.Target, out var state))
        {
            Sender.Tell(new WorkerResult(command.ActionId, false, Error: $"{command.Target} is not a configured health target"));
            return;
        }

        var target = state.Target;
        if (state.Phase != Phase.AwaitingDecision)
        {
            // It recovered (or is already being handled) since it was reported: nothing to change in production.
            Sender.Tell(new WorkerResult(command.ActionId, true, $"{target.Name} is {state.View().Phase}: no redeploy needed"));
            return;
        }

        if (!target.CanRedeploy || _railway is null)
        {
            Sender.Tell(new WorkerResult(command.ActionId, false, Error: $"{target.Name} has no Railway service configured to redeploy"));
            GiveUp(state, $"{state.Reason} ({state.Failures} probes in a row); no Railway service configured to redeploy.");
            return;
        }

        // The probe's one fence check, right before its only change (the redeploy).
        if (_fence.Refusal(Context.GetLogger(), $"Railway redeploy of {target.Name}") is { } refused)
        {
            Sender.Tell(new WorkerResult(command.ActionId, false, Error: refused));
            return;
        }

        state.Phase = Phase.Redeploying;
        var self = Self;
        var requestedBy = Sender;
        _railway.RedeployServiceAsync(target.RailwayServiceId!, target.RailwayEnvironmentId!, _stopping.Token).ContinueWith(
            done => self.Tell(done.IsCompletedSuccessfully
                ? new RedeployFinished(target.Name, command.ActionId, requestedBy, done.Result, done.Result ? "redeploy started" : "Railway refused the redeploy")
                : new RedeployFinished(target.Name, command.ActionId, requestedBy, false, done.Exception?.GetBaseException().Message ?? "cancelled")),
            TaskScheduler.Default);
    }

    private void OnRedeployFinished(RedeployFinished finished)
    {
        var state = _targets[finished.Target];
        var detail = _redactor.Snippet(finished.Detail, ReasonLength);
        finished.RequestedBy.Tell(finished.Success
            ? new WorkerResult(finished.ActionId, true, $"{state.Target.Name}: {detail}")
            : new WorkerResult(finished.ActionId, false, Error: $"{state.Target.Name}: {detail}"));
        if (!finished.Success)
        {
            GiveUp(state, $"{state.Reason}; the redeploy failed: {detail}.");
            return;
        }

        state.Phase = Phase.Verifying;
        Timers.StartSingleTimer($"verify:{finished.Target}", new VerifyNow(finished.Target), _settings.RedeployWait);
    }

    private void GiveUp(TargetState state, string why)
    {
        state.Phase = Phase.GaveUp;
        var target = state.Target;
        Alert(AlertSeverity.Critical, $"{target.Name} is down and self-heal did not fix it",
            $"Health probe of {target.Url}: {why}\nA human is needed; the autopilot keeps probing and reports when it recovers.", "down", target);
    }

    private void OnCheckHealth(CheckHealth check)
    {
        var failing = new List<string>();
        foreach (var name in check.Targets)
        {
            if (!_targets.TryGetValue(name, out var state))
            {
                failing.Add($"{name}: not a configured health target");
            }
            else if (state.Healthy is null)
            {
                failing.Add($"{name}: not probed yet");
            }
            else if (state.Healthy == false)
            {
                failing.Add($"{name}: {state.Reason}");
            }
        }

        Sender.Tell(failing.Count == 0
            ? new WorkerResult(check.ActionId, true, $"healthy: {string.Join(", ", check.Targets)}")
            : new WorkerResult(check.ActionId, false, string.Join("; ", failing), string.Join("; ", failing)));
    }

    private void Alert(AlertSeverity severity, string title, string body, string kind, HealthTarget target) =>
        (_alerts ?? Context.Parent).Tell(new RaiseAlert(severity, title, _redactor.Redact(body), $"health:{target.Name}:{kind}", target.Service ?? target.Name));
}
