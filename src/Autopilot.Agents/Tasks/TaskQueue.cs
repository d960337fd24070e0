using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Akka.Persistence;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Protocol;

namespace Autopilot.Agents.Tasks;

/// <summary>
/// The durable queue of operator tasks, a child of the orchestrator (<c>/user/orchestrator/orchestrator/tasks/queue</c>),
/// so it lives, fails over and restarts with the orchestrator singleton. A task is accepted only once
/// <see cref="TaskSubmitted"/> is journaled; tasks start highest priority first, first-in first-out within a priority,
/// never two at a time on the same target; each runs by sending its kind's message to the orchestrator
/// (<see cref="TaskCatalog"/>), so pause, dry-run, budgets and approvals decide it like anything the autopilot does itself,
/// and their answer is the task's outcome. A task past its timeout is cut off and recorded as timed out.
/// </summary>
/// <remarks>
/// Every step is journaled before it has an effect: <see cref="TaskStarted"/> before the orchestrator is asked. The
/// reconcile rule after a restart or fail-over, which keeps any task from running twice: queued tasks stay queued; a
/// task found running is never sent again. For a production change (a <see cref="RunTaskAction"/>) the queue asks the
/// orchestrator whether the task's action is still pending (<see cref="FindTaskAction"/>); if so the task keeps running
/// and ends with that action's result (the orchestrator itself reconciles its pending actions with the platform); if not,
/// the task is closed as <see cref="TaskStatuses.Interrupted"/> — its action, if it ran, is on the audit trail under the
/// task's id. A drill or readiness assessment found running is closed as interrupted at once.
/// </remarks>
public sealed class TaskQueue : ReceivePersistentActor, IWithTimers
{
    /// <summary>The queue's backoff supervisor under the orchestrator (what the orchestrator forwards to).</summary>
    public const string Name = "tasks";

    /// <summary>The persistence id (one queue per cluster, like the orchestrator).</summary>
    public const string DefaultPersistenceId = "tasks";

    private readonly TaskSettings _settings;
    private readonly IActorRef _orchestrator;
    private readonly TaskBook _book;

    /// <summary>Creates the queue; prefer <see cref="Props"/>.</summary>
    public TaskQueue(TaskSettings settings, IActorRef orchestrator)
    {
        _settings = settings;
        _orchestrator = orchestrator;
        _book = new TaskBook(settings.RetainFinished);

        Recover<IAuditEvent>(e => _book.Apply(e));
        Recover<RecoveryCompleted>(_ => OnRecovered());
        Command<SubmitTask>(OnSubmit);
        Command<ListTasks>(list => Sender.Tell(new TaskList(_book.List(list.Status))));
        Command<GetTask>(get => Sender.Tell(_book.Detail(get.TaskId) is { } detail ? detail : new TaskNotFound(get.TaskId)));
        Command<CancelTask>(OnCancel);
        Command<Answered>(OnAnswered);
        Command<TaskActionSettled>(OnSettled);
        Command<TaskActionState>(OnReconciled);
        Command<Deadline>(OnDeadline);
    }

    /// <inheritdoc />
    public override string PersistenceId => DefaultPersistenceId;

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of the queue.</summary>
    /// <param name="settings">Timeouts and retention.</param>
    /// <param name="orchestrator">Where tasks are sent (the orchestrator; a probe in tests).</param>
    public static Props Props(TaskSettings settings, IActorRef orchestrator)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(orchestrator);
        return Akka.Actor.Props.Create(() => new TaskQueue(settings, orchestrator));
    }

    /// <summary>
    /// The queue under Akka's backoff supervisor (a failed journal write or recovery stops it; it starts again from its
    /// journal after the backoff), as the orchestrator runs it: create it as <see cref="Name"/>.
    /// </summary>
    public static Props SupervisedProps(TaskSettings settings, IActorRef orchestrator) =>
        AutopilotTree.SupervisedProps(Props(settings, orchestrator), "queue");

    /// <summary>The orchestrator's answer to a task's message (or the ask's failure).</summary>
    private sealed record Answered(string TaskId, object Answer);

    /// <summary>A running task's time is up.</summary>
    private sealed record Deadline(string TaskId);

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    private void OnSubmit(SubmitTask submit)
    {
        if (submit.IdempotencyKey is { Length: > 0 } key && _book.TaskWithKey(key) is { } existing)
        {
            Sender.Tell(new TaskAccepted(_book.View(existing)!, true));
            return;
        }

        var parameters = submit.Parameters ?? new Dictionary<string, string>();
        var timeout = submit.Timeout ?? _settings.DefaultTimeout;
        var problem = TaskCatalog.Problem(submit.Kind ?? "", submit.Target ?? "", parameters)
            ?? (TaskPriorities.Rank(submit.Priority ?? "") < 0 ? $"unknown priority \"{submit.Priority}\"; known: {string.Join(", ", TaskPriorities.All)}" : null)
            ?? (timeout <= TimeSpan.Zero || timeout > _settings.MaxTimeout
                ? $"timeout must be positive and at most {_settings.MaxTimeout} (autopilot.agents.tasks.max-timeout)"
                : null);
        if (problem is not null)
        {
            Sender.Tell(new TaskRejected(problem));
            return;
        }

        var target = submit.Target!.Trim();
        var submitted = new TaskSubmitted($"task-{Guid.NewGuid():N}"[..17], submit.Kind!, target, parameters, submit.Priority!, timeout,
            submit.IdempotencyKey is { Length: > 0 } ? submit.IdempotencyKey : null, submit.By, TaskCatalog.ServiceOf(submit.Kind!, target), Now);
        var replyTo = Sender;
        Record(submitted, () =>
        {
            replyTo.Tell(new TaskAccepted(_book.View(submitted.TaskId)!, false));
            StartWhatMay();
        });
    }

    private void OnCancel(CancelTask cancel)
    {
        switch (_book.StatusOf(cancel.TaskId))
        {
            case null:
                Sender.Tell(new TaskNotFound(cancel.TaskId));
                break;
            case TaskStatuses.Queued:
                var replyTo = Sender;
                Record(new TaskCancelled(cancel.TaskId, cancel.By, _book.Submission(cancel.TaskId)?.Service, Now),
                    () => replyTo.Tell(new TaskCancelAnswer(true, _book.View(cancel.TaskId)!, $"task {cancel.TaskId} cancelled")));
                break;
            case var status:
                Sender.Tell(new TaskCancelAnswer(false, _book.View(cancel.TaskId)!,
                    status == TaskStatuses.Running ? $"task {cancel.TaskId} is already running; only a queued task can be cancelled" : $"task {cancel.TaskId} already ended ({status})"));
                break;
        }
    }

    /// <summary>Starts every queued task that may start now (see <see cref="TaskBook.NextToStart"/>).</summary>
    private void StartWhatMay()
    {
        while (_book.NextToStart() is { } next)
        {
            // Applied at once (before the write completes) so the next pick sees this target as busy.
            Record(new TaskStarted(next.TaskId, next.Service, Now), () => Run(next));
        }
    }

    private void Run(TaskSubmitted task)
    {
        Timers.StartSingleTimer(task.TaskId, new Deadline(task.TaskId), task.Timeout);
        var command = TaskCatalog.Kinds[task.Kind].Command(task.TaskId, task);
        // The ask outlives the deadline a little: the deadline, not the ask, decides that the task timed out.
        _orchestrator.Ask(command, task.Timeout + TimeSpan.FromSeconds(1))
            .PipeTo(Self, success: answer => new Answered(task.TaskId, answer), failure: cause => new Answered(task.TaskId, new Status.Failure(cause)));
    }

    private void OnAnswered(Answered answered)
    {
        var id = answered.TaskId;
        if (_book.StatusOf(id) != TaskStatuses.Running)
        {
            return; // timed out (or closed by a reconcile) meanwhile
        }

        switch (answered.Answer)
        {
            case TaskActionAnswer { Outcome: TaskActionOutcomes.Requested, ActionId: { } actionId }:
                _book.NoteAction(id, actionId); // its result follows as a TaskActionSettled
                break;
            case TaskActionAnswer answer:
                Finish(id, answer.Outcome switch
                {
                    TaskActionOutcomes.DryRun => TaskStatuses.DryRun,
                    TaskActionOutcomes.NeedsApproval => TaskStatuses.NeedsApproval,
                    _ => TaskStatuses.Refused,
                }, answer.Detail, answer.ActionId);
                break;
            case ControlAck ack:
                Finish(id, ack.Accepted ? TaskStatuses.Succeeded : TaskStatuses.Refused, ack.Message);
                break;
            case ReadinessAssessed assessed:
                Finish(id, TaskStatuses.Succeeded,
                    $"readiness of {assessed.Commit} for {assessed.Service}: {assessed.Decision} ({assessed.Checks.Count(c => c.Passed)} of {assessed.Checks.Count} checks passed)");
                break;
            case Status.Failure { Cause: AskTimeoutException }:
                break; // the deadline records it
            case Status.Failure failure:
                Finish(id, TaskStatuses.Failed, $"the orchestrator could not be asked: {failure.Cause.Message}");
                break;
            case var other:
                Finish(id, TaskStatuses.Failed, $"unexpected answer {other.GetType().Name} from the orchestrator");
                break;
        }
    }

    private void OnSettled(TaskActionSettled settled)
    {
        if (_book.StatusOf(settled.TaskId) == TaskStatuses.Running)
        {
            Finish(settled.TaskId, settled.Success ? TaskStatuses.Succeeded : TaskStatuses.Failed, settled.Detail, settled.ActionId);
        }
    }

    private void OnDeadline(Deadline deadline)
    {
        if (_book.StatusOf(deadline.TaskId) != TaskStatuses.Running || _book.Submission(deadline.TaskId) is not { } task)
        {
            return;
        }

        var action = _book.ActionOf(task.TaskId);
        var detail = action is null
            ? $"no answer from the orchestrator within {task.Timeout}"
            : $"action {action} not finished within {task.Timeout}; it is not undone, its result is recorded under its action id";
        Record(new TaskTimedOut(task.TaskId, detail, action, task.Service, Now), StartWhatMay);
    }

    private void Finish(string taskId, string outcome, string detail, string? actionId = null)
    {
        Timers.Cancel(taskId);
        Record(new TaskFinished(taskId, outcome, detail, actionId ?? _book.ActionOf(taskId), _book.Submission(taskId)?.Service, Now), StartWhatMay);
    }

    /// <summary>The reconcile rule of the class remarks: nothing found running is sent again.</summary>
    private void OnRecovered()
    {
        foreach (var running in _book.Running)
        {
            var task = running.Submitted;
            if (TaskCatalog.Kinds.TryGetValue(task.Kind, out var kind) && kind.Command(task.TaskId, task) is RunTaskAction)
            {
                var left = (running.StartedAt ?? Now) + task.Timeout - Now;
                Timers.StartSingleTimer(task.TaskId, new Deadline(task.TaskId), left > TimeSpan.Zero ? left : TimeSpan.Zero);
                _orchestrator.Tell(new FindTaskAction(task.TaskId), Self);
            }
            else
            {
                Finish(task.TaskId, TaskStatuses.Interrupted, "the daemon stopped while it ran; not run again (submit it again if it is still wanted)");
            }
        }

        StartWhatMay();
    }

    private void OnReconciled(TaskActionState state)
    {
        if (_book.StatusOf(state.TaskId) != TaskStatuses.Running)
        {
            return;
        }

        if (state.PendingActionId is { } actionId)
        {
            _book.NoteAction(state.TaskId, actionId); // still pending: its result finishes the task
            return;
        }

        Finish(state.TaskId, TaskStatuses.Interrupted,
            $"the daemon stopped while it ran and no action of it is pending any more: not run again; see the audit trail for actions with taskId {state.TaskId}");
    }

    /// <summary>Applies <paramref name="event"/> now and journals it; <paramref name="then"/> runs once it is durable.</summary>
    private void Record(IAuditEvent @event, Action then)
    {
        _book.Apply(@event);
        Persist(@event, _ => then());
    }

    /// <summary>The book already holds the refused event: stop, so the supervisor starts the queue again from its journal.</summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        base.OnPersistRejected(cause, @event, sequenceNr);
        Context.GetLogger().Error(cause, $"The journal refused {@event.GetType().Name} #{sequenceNr}; the task queue stops and starts again from its journal.");
        Context.Stop(Self);
    }
}
