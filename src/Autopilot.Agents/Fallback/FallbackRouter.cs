using Akka.Actor;
using Akka.Event;
using Autopilot.Agents.Fencing;
using Autopilot.Agents.Protocol;

namespace Autopilot.Agents.Fallback;

/// <summary>
/// Keeps a failed workflow's work getting done (worker <c>fallback</c>): maps the workflow to its task and tries the
/// configured tiers in order, each within its own timeout measured on the actor system's clock. Every attempt is
/// reported to the parent as an <see cref="N8nRecoveryAttempted"/>; the first success ends the chain; when every tier
/// failed (or the workflow has no task) a CRITICAL <see cref="RaiseAlert"/> goes to the alerts worker.
/// Each tier run passes the node's <see cref="IActionFence"/> right before it starts: when this node no longer holds
/// the orchestrator's lease the chain ends there, answered as failed with <see cref="ActionFence.NotHeldError"/> and
/// without an alert (the leader holding the lease decides what happens next).
/// </summary>
public sealed class FallbackRouter : ReceiveActor, IWithTimers
{
    private readonly FallbackSettings _settings;
    private readonly FallbackTierRunner _runner;
    private readonly IActorRef? _alerts;
    private readonly IActionFence _fence;
    private readonly Dictionary<string, Chain> _chains = new(StringComparer.Ordinal);

    /// <summary>Creates the router; prefer <see cref="Props"/>.</summary>
    public FallbackRouter(FallbackSettings settings, FallbackTierRunner runner, IActorRef? alerts, IActionFence? fence = null)
    {
        _settings = settings;
        _runner = runner;
        _alerts = alerts;
        _fence = fence ?? ActionFence.Unfenced;
        Receive<RouteFallback>(Start);
        Receive<TierFinished>(OnFinished);
        Receive<TierTimedOut>(OnTimedOut);
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>
    /// Props for the router. Alerts go to <paramref name="alerts"/> when given, otherwise to the parent (which forwards
    /// <see cref="RaiseAlert"/> to its alerts worker). <paramref name="fence"/> is the node's lease (null: a single node,
    /// nothing fenced).
    /// </summary>
    public static Props Props(FallbackSettings settings, FallbackTierRunner runner, IActorRef? alerts = null, IActionFence? fence = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(runner);
        var actions = fence ?? ActionFence.Unfenced;
        return Akka.Actor.Props.Create(() => new FallbackRouter(settings, runner, alerts, actions));
    }

    private sealed record TierFinished(string ActionId, int Attempt, bool Success, string Detail);

    private sealed record TierTimedOut(string ActionId, int Attempt);

    /// <summary>One routing in progress; <see cref="Attempt"/> tells a late answer of an abandoned tier from the current one.</summary>
    private sealed class Chain(RouteFallback command, IActorRef replyTo, string task)
    {
        public RouteFallback Command { get; } = command;
        public IActorRef ReplyTo { get; } = replyTo;
        public string Task { get; } = task;
        public List<FallbackAttempt> Attempts { get; } = [];
        public int Attempt { get; set; } = -1;
        public DateTimeOffset AttemptStarted { get; set; }
        public CancellationTokenSource? Cancel { get; set; }
    }

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    /// <inheritdoc />
    protected override void PreRestart(Exception reason, object? message)
    {
        foreach (var chain in _chains.Values)
        {
            chain.Cancel?.Cancel();
            chain.ReplyTo.Tell(new WorkerResult(chain.Command.ActionId, false, Error: $"fallback router restarted: {reason.GetType().Name}"));
        }

        _chains.Clear();
        base.PreRestart(reason, message);
    }

    /// <inheritdoc />
    protected override void PreStart()
    {
        IncarnationStarted.Announce(Context);
        base.PreStart();
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        foreach (var chain in _chains.Values)
        {
            chain.Cancel?.Cancel();
        }

        base.PostStop();
    }

    private void Start(RouteFallback command)
    {
        if (_chains.ContainsKey(command.ActionId))
        {
            return;
        }

        var task = _settings.TaskOf(command.WorkflowId, command.WorkflowName);
        if (task is null)
        {
            var detail = $"workflow {command.WorkflowName ?? command.WorkflowId} has no fallback task mapped (autopilot.agents.fallback.tasks)";
            Report(command, "fallback", false, detail);
            Sender.Tell(new WorkerResult(command.ActionId, false, Error: detail));
            Alert(command, detail);
            return;
        }

        var chain = new Chain(command, Sender, task);
        _chains[command.ActionId] = chain;
        Next(chain);
    }

    private void Next(Chain chain)
    {
        chain.Attempt++;
        if (chain.Attempt >= _settings.Tiers.Count)
        {
            _chains.Remove(chain.Command.ActionId);
            var error = chain.Attempts.Count == 0
                ? "no fallback tiers configured (autopilot.agents.fallback.order)"
                : $"every fallback tier failed: {string.Join("; ", chain.Attempts)}";
            chain.ReplyTo.Tell(new WorkerResult(chain.Command.ActionId, false, Error: error));
            Alert(chain.Command, error);
            return;
        }

        var tier = _settings.Tiers[chain.Attempt];
        // The router's one fence check, right before a tier runs (the runner itself is not fenced).
        if (_fence.Refusal(Context.GetLogger(), $"fallback tier {tier.Name} for workflow {chain.Command.WorkflowId}") is { } refused)
        {
            _chains.Remove(chain.Command.ActionId);
            chain.ReplyTo.Tell(new WorkerResult(chain.Command.ActionId, false, Error: refused));
            return;
        }

        var attempt = chain.Attempt;
        var actionId = chain.Command.ActionId;
        chain.AttemptStarted = Now;
        chain.Cancel = new CancellationTokenSource();
        Timers.StartSingleTimer(TimerKey(actionId), new TierTimedOut(actionId, attempt), tier.Timeout);
        var self = Self;
        var job = new FallbackJob(chain.Task, chain.Command.WorkflowId, chain.Command.ExecutionId, chain.Command.Reason);
        _runner.RunAsync(tier, job, chain.Cancel.Token).ContinueWith(
            done => self.Tell(done.IsCompletedSuccessfully
                ? new TierFinished(actionId, attempt, true, done.Result)
                : new TierFinished(actionId, attempt, false, done.IsCanceled ? "cancelled" : done.Exception!.GetBaseException().Message)),
            TaskScheduler.Default);
    }

    private void OnFinished(TierFinished finished)
    {
        if (!_chains.TryGetValue(finished.ActionId, out var chain) || chain.Attempt != finished.Attempt)
        {
            return; // the answer of a tier that already timed out
        }

        Timers.Cancel(TimerKey(finished.ActionId));
        Record(chain, finished.Success, Now - chain.AttemptStarted, finished.Detail);
    }

    private void OnTimedOut(TierTimedOut timedOut)
    {
        if (!_chains.TryGetValue(timedOut.ActionId, out var chain) || chain.Attempt != timedOut.Attempt)
        {
            return;
        }

        var tier = _settings.Tiers[chain.Attempt];
        chain.Cancel?.Cancel();
        Record(chain, false, tier.Timeout, $"timed out after {tier.Timeout.TotalSeconds:0.###}s");
    }

    private void Record(Chain chain, bool success, TimeSpan duration, string detail)
    {
        var tier = _settings.Tiers[chain.Attempt];
        chain.Cancel?.Dispose();
        chain.Cancel = null;
        var attempt = new FallbackAttempt(tier.Name, tier.Kind, success, duration, detail);
        chain.Attempts.Add(attempt);
        Report(chain.Command, $"fallback:{tier.Name}", success, attempt.ToString());
        if (success)
        {
            _chains.Remove(chain.Command.ActionId);
            chain.ReplyTo.Tell(new WorkerResult(chain.Command.ActionId, true,
                $"task {chain.Task} done by fallback tier {tier.Name}: {string.Join("; ", chain.Attempts)}"));
            return;
        }

        Next(chain);
    }

    private void Report(RouteFallback command, string strategy, bool success, string detail) =>
        Context.Parent.Tell(new WorkerReport(WorkerNames.Fallback,
            new N8nRecoveryAttempted(command.WorkflowId, command.ExecutionId, strategy, success, detail, Now)));

    private void Alert(RouteFallback command, string error) =>
        (_alerts ?? Context.Parent).Tell(new RaiseAlert(
            AlertSeverity.Critical,
            $"n8n workflow {command.WorkflowName ?? command.WorkflowId} failed and could not be recovered",
            $"Failure: {command.Reason}\nExecution: {(command.ExecutionId.Length == 0 ? "(none recorded)" : command.ExecutionId)}\n{error}",
            $"n8n:{command.WorkflowId}:unrecovered",
            $"n8n:{command.WorkflowName ?? command.WorkflowId}"));

    private static string TimerKey(string actionId) => $"tier-timeout:{actionId}";
}
