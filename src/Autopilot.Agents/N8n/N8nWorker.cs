using Akka.Actor;
using Akka.Event;
using Autopilot.Agents.Fallback;
using Autopilot.Agents.Fencing;
using Autopilot.Agents.Protocol;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.N8n;
using Autopilot.Platforms.Redaction;

namespace Autopilot.Agents.N8n;

/// <summary>
/// The orchestrator's link to n8n (worker <c>n8n</c>). It detects failed workflow runs three ways — webhook runs it is
/// asked to make (<see cref="RunWorkflow"/>, judged by <see cref="N8nFailureClassifier"/> in priority order), failed
/// executions found by polling the API, and n8n error-workflow callbacks (<see cref="ExternalEvent"/> from n8n) — and
/// reports each as <see cref="N8nFailureDetected"/> with a redacted snippet. Asked to <see cref="RecoverWorkflow"/>, it
/// retries the failed execution through the API and, if that does not succeed, hands the work to its fallback router
/// child (<c>fallback</c>), which answers the orchestrator directly. The router's reports and alerts are passed up.
/// Running a workflow and retrying an execution pass the node's <see cref="IActionFence"/> right before the call; a
/// refused one is answered as failed with <see cref="ActionFence.NotHeldError"/> (and is no n8n failure). Polling is not fenced.
/// </summary>
public sealed class N8nWorker : ReceiveActor, IWithTimers
{
    private const string PollTimer = "poll-executions";
    private const int SnippetLength = 300;
    private readonly N8nClient _client;
    private readonly N8nSettings _settings;
    private readonly Redactor _redactor;
    private readonly Props? _fallbackProps;
    private readonly IActionFence _fence;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, Run> _runs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IActorRef> _retries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, N8nFailureDetected> _lastFailure = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reportedExecutions = new(StringComparer.Ordinal);
    private IActorRef? _fallback;
    private DateTimeOffset _startedAt;

    /// <summary>Creates the worker; prefer <see cref="Props"/>.</summary>
    public N8nWorker(N8nClient client, N8nSettings settings, Redactor redactor, Props? fallback, IActionFence? fence = null)
    {
        _client = client;
        _settings = settings;
        _redactor = redactor;
        _fallbackProps = fallback;
        _fence = fence ?? ActionFence.Unfenced;

        Receive<RunWorkflow>(Start);
        Receive<RunFinished>(OnRunFinished);
        Receive<RunTimedOut>(OnRunTimedOut);
        Receive<RecoverWorkflow>(Recover);
        Receive<RetryFinished>(OnRetryFinished);
        Receive<PollExecutions>(_ => Poll());
        Receive<FailedExecutions>(OnFailedExecutions);
        Receive<ExternalEvent>(OnErrorCallback);
        Receive<WorkerReport>(report => Context.Parent.Tell(report));
        Receive<RaiseAlert>(alert => Context.Parent.Tell(alert));
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>
    /// Props for the worker. <paramref name="fallback"/> (typically <see cref="FallbackRouter.Props"/>) is started as the
    /// child <c>fallback</c>; without it, a recovery that the retry cannot achieve fails. <paramref name="fence"/> is the
    /// node's lease (null: a single node, nothing fenced); give the router the same one.
    /// </summary>
    public static Props Props(N8nClient client, N8nSettings settings, Redactor redactor, Props? fallback = null, IActionFence? fence = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(redactor);
        var actions = fence ?? ActionFence.Unfenced;
        return Akka.Actor.Props.Create(() => new N8nWorker(client, settings, redactor, fallback, actions));
    }

    private sealed record Run(RunWorkflow Command, IActorRef ReplyTo, DateTimeOffset StartedAt, CancellationTokenSource Cancel);

    private sealed record RunFinished(string ActionId, PlatformCall Call);

    private sealed record RunTimedOut(string ActionId);

    private sealed record RetryFinished(RecoverWorkflow Command, bool Success, string Detail);

    private sealed record PollExecutions;

    private sealed record FailedExecutions(IReadOnlyList<N8nExecution> Executions);

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    /// <inheritdoc />
    protected override void PreStart()
    {
        IncarnationStarted.Announce(Context);
        _startedAt = Now;
        if (_fallbackProps is not null)
        {
            _fallback = Context.ActorOf(_fallbackProps, WorkerNames.Fallback);
        }

        if (_settings.PollInterval > TimeSpan.Zero)
        {
            Timers.StartPeriodicTimer(PollTimer, new PollExecutions(), _settings.PollInterval, _settings.PollInterval);
        }
    }

    /// <inheritdoc />
    protected override void PreRestart(Exception reason, object? message)
    {
        var error = $"n8n worker restarted: {reason.GetType().Name}";
        foreach (var run in _runs.Values)
        {
            run.Cancel.Cancel();
            run.ReplyTo.Tell(new WorkerResult(run.Command.ActionId, false, Error: error));
        }

        foreach (var (actionId, replyTo) in _retries)
        {
            replyTo.Tell(new WorkerResult(actionId, false, Error: error));
        }

        _runs.Clear();
        _retries.Clear();
        base.PreRestart(reason, message);
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }

    // ---- runs through webhooks ----

    private void Start(RunWorkflow command)
    {
        if (Refused(command.ActionId, Sender, $"n8n run of workflow {command.WorkflowName ?? command.WorkflowId} (webhook {command.WebhookPath})"))
        {
            return;
        }

        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        _runs[command.ActionId] = new Run(command, Sender, Now, cancel);
        // The watchdog fires a second after the execution timeout, so an unanswered run is judged "slower than" it.
        Timers.StartSingleTimer(WatchdogKey(command.ActionId), new RunTimedOut(command.ActionId), _settings.ExecutionTimeout + TimeSpan.FromSeconds(1));
        var self = Self;
        var operation = "POST /webhook/{path}";
        _client.TriggerWebhookAsync(command.WebhookPath, command.Payload, cancellationToken: cancel.Token).ContinueWith(
            done => self.Tell(new RunFinished(command.ActionId, done.IsCompletedSuccessfully
                ? done.Result.Call
                : FailedCall(operation, done.Exception?.GetBaseException()))),
            TaskScheduler.Default);
    }

    /// <summary>A failed exchange as a call the classifier can judge: its status (if any) and the redacted error as the body.</summary>
    private PlatformCall FailedCall(string operation, Exception? error) => new(
        N8nPlatform.Name, operation, (error as PlatformException)?.StatusCode ?? 0, TimeSpan.Zero, _redactor.Snippet(error?.Message ?? "cancelled", SnippetLength));

    private void OnRunFinished(RunFinished finished)
    {
        if (!_runs.TryGetValue(finished.ActionId, out var run))
        {
            return; // already judged by the watchdog
        }

        if (finished.Call.StatusCode == 0 && Now - run.StartedAt >= _settings.ExecutionTimeout)
        {
            // The client gave up waiting at about the execution timeout: an unanswered run, which the watchdog judges.
            return;
        }

        _runs.Remove(finished.ActionId);

        Timers.Cancel(WatchdogKey(finished.ActionId));
        run.Cancel.Dispose();
        // Duration on the actor system's clock: the same clock the watchdog and the execution timeout use.
        Judge(run, finished.Call with { Duration = Now - run.StartedAt });
    }

    private void OnRunTimedOut(RunTimedOut timedOut)
    {
        if (!_runs.Remove(timedOut.ActionId, out var run))
        {
            return;
        }

        run.Cancel.Cancel();
        run.Cancel.Dispose();
        Judge(run, new PlatformCall(N8nPlatform.Name, "POST /webhook/{path}", 0, Now - run.StartedAt, "no answer"));
    }

    private void Judge(Run run, PlatformCall call)
    {
        var command = run.Command;
        var kind = N8nFailureClassifier.Classify(call, _settings.ExecutionTimeout);
        var seconds = $"{call.Duration.TotalSeconds:0.###}s";
        if (kind == N8nFailureKind.None)
        {
            run.ReplyTo.Tell(new WorkerResult(command.ActionId, true, $"webhook {command.WebhookPath} answered {call.StatusCode} in {seconds}"));
            return;
        }

        var error = $"{N8nFailureClassifier.NameOf(kind)}: webhook {command.WebhookPath} answered {(call.StatusCode == 0 ? "nothing" : call.StatusCode.ToString())} "
                    + $"after {seconds}: {_redactor.Snippet(call.BodySnippet, SnippetLength)}";
        ReportFailure(new N8nFailureDetected(command.WorkflowId, "", error, Now, command.WorkflowName));
        run.ReplyTo.Tell(new WorkerResult(command.ActionId, false, Error: error));
    }

    private void ReportFailure(N8nFailureDetected failure)
    {
        _lastFailure[failure.WorkflowId] = failure;
        Context.Parent.Tell(new WorkerReport(WorkerNames.N8n, failure));
    }

    // ---- recovery ----

    private void Recover(RecoverWorkflow command)
    {
        if (_settings.RetryBeforeFallback && command.ExecutionId.Length > 0)
        {
            if (Refused(command.ActionId, Sender, $"n8n retry of execution {command.ExecutionId} of workflow {command.WorkflowId}"))
            {
                return;
            }

            _retries[command.ActionId] = Sender;
            var self = Self;
            _client.RetryExecutionAsync(command.ExecutionId, cancellationToken: _stopping.Token).ContinueWith(
                done => self.Tell(done.IsCompletedSuccessfully
                    ? new RetryFinished(command, done.Result.Value.Status == N8nExecutionStatus.Success,
                        $"retry execution {done.Result.Value.Id} is {done.Result.Value.Status.ToString().ToLowerInvariant()}")
                    : new RetryFinished(command, false, _redactor.Snippet(done.Exception?.GetBaseException().Message ?? "cancelled", SnippetLength))),
                TaskScheduler.Default);
            return;
        }

        Fallback(command, Sender);
    }

    /// <summary>
    /// The worker's one fence check, right before a call that runs something on n8n: when this node no longer holds the
    /// lease, answers <paramref name="replyTo"/> with the failed action and returns true; the call must not be made.
    /// </summary>
    private bool Refused(string actionId, IActorRef replyTo, string call)
    {
        if (_fence.Refusal(Context.GetLogger(), call) is not { } error)
        {
            return false;
        }

        replyTo.Tell(new WorkerResult(actionId, false, Error: error));
        return true;
    }

    private void OnRetryFinished(RetryFinished finished)
    {
        if (!_retries.Remove(finished.Command.ActionId, out var replyTo))
        {
            return;
        }

        var command = finished.Command;
        Context.Parent.Tell(new WorkerReport(WorkerNames.N8n,
            new N8nRecoveryAttempted(command.WorkflowId, command.ExecutionId, "retry", finished.Success, finished.Detail, Now)));
        if (finished.Success)
        {
            replyTo.Tell(new WorkerResult(command.ActionId, true, $"recovered by retry: {finished.Detail}"));
            return;
        }

        Fallback(command, replyTo);
    }

    private void Fallback(RecoverWorkflow command, IActorRef replyTo)
    {
        if (_fallback is null)
        {
            replyTo.Tell(new WorkerResult(command.ActionId, false, Error: $"workflow {command.WorkflowId} not recovered and no fallback router is configured"));
            return;
        }

        var failure = _lastFailure.GetValueOrDefault(command.WorkflowId);
        // Told on behalf of the requester: the router answers it directly with the same action id.
        _fallback.Tell(new RouteFallback(command.ActionId, command.WorkflowId, command.ExecutionId, failure?.Error ?? "execution failed", failure?.WorkflowName), replyTo);
    }

    // ---- polling and error-workflow callbacks ----

    private void Poll()
    {
        var self = Self;
        _client.ListExecutionsAsync(new N8nExecutionQuery(Status: N8nExecutionStatus.Error, Limit: 50), _stopping.Token).ContinueWith(
            done =>
            {
                if (done.IsCompletedSuccessfully)
                {
                    self.Tell(new FailedExecutions(done.Result.Value.Items));
                }
            },
            TaskScheduler.Default);
    }

    private void OnFailedExecutions(FailedExecutions failed)
    {
        // Oldest first, and only failures that ended while this worker was watching: older ones were someone else's news.
        foreach (var execution in failed.Executions.Reverse())
        {
            if ((execution.StoppedAt ?? execution.StartedAt) is { } at && at >= _startedAt && _reportedExecutions.Add(execution.Id))
            {
                // A failed retry is a new execution with retryOf set: reported with it, so the orchestrator counts it as
                // the failure it retried rather than a new one.
                var retryOf = execution.RetryOf is { Length: > 0 } retried ? retried : null;
                ReportFailure(new N8nFailureDetected(execution.WorkflowId, execution.Id,
                    $"error: execution {execution.Id} ({execution.Mode}{(retryOf is null ? "" : $", retry of {retryOf}")}) ended in error", at, RetryOf: retryOf));
            }
        }
    }

    private void OnErrorCallback(ExternalEvent external)
    {
        // The payload of n8n's Error Trigger: { execution: { id, error: { message }, lastNodeExecuted }, workflow: { id, name } }.
        if (external.Text("workflow", "id") is not { } workflowId)
        {
            Context.GetLogger().Warning($"Ignoring n8n event {external.EventType} ({external.DeliveryId}): no workflow id in it.");
            return;
        }

        var executionId = external.Text("execution", "id") ?? "";
        if (executionId.Length > 0 && !_reportedExecutions.Add(executionId))
        {
            return;
        }

        var message = external.Text("execution", "error", "message");
        var node = external.Text("execution", "lastNodeExecuted");
        var kind = N8nFailureClassifier.Classify(new PlatformCall(N8nPlatform.Name, "error workflow", 0, TimeSpan.Zero, message ?? "error"));
        var text = $"{N8nFailureClassifier.NameOf(kind)}: {(node is null ? "" : $"node {node}: ")}{message ?? "execution failed"}";
        ReportFailure(new N8nFailureDetected(workflowId, executionId, _redactor.Snippet(text, SnippetLength), Now, external.Text("workflow", "name"),
            external.Text("execution", "retryOf") is { Length: > 0 } retryOf ? retryOf : null));
    }

    private static string WatchdogKey(string actionId) => $"watchdog:{actionId}";
}
