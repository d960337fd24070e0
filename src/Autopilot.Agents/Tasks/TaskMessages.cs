using Autopilot.Agents.Serialization;

namespace Autopilot.Agents.Tasks;

// The queue's protocol. It crosses the network in a cluster (the HTTP edge on any node asks the orchestrator singleton,
// which forwards to its `tasks` child), so every message and answer carries a manifest.

/// <summary>What the orchestrator forwards to its <c>tasks</c> child: the queue's API.</summary>
public interface ITaskQueueRequest;

/// <summary>
/// Queues a task. Answered with <see cref="TaskAccepted"/> once <see cref="TaskSubmitted"/> is journaled (or at once
/// when <paramref name="IdempotencyKey"/> names a task already submitted), or <see cref="TaskRejected"/>.
/// </summary>
/// <param name="Kind">A kind of the <see cref="TaskCatalog"/>.</param>
/// <param name="Target">What it acts on.</param>
/// <param name="Parameters">The kind's parameters.</param>
/// <param name="Priority">One of <see cref="TaskPriorities"/>.</param>
/// <param name="Timeout">How long it may run; null for <see cref="TaskSettings.DefaultTimeout"/>.</param>
/// <param name="IdempotencyKey">A retried submit with the same key gets the same task; null for none.</param>
/// <param name="By">Who submits it.</param>
[EventManifest("autopilot.tasks.submit_task")]
public sealed record SubmitTask(
    string Kind, string Target, IReadOnlyDictionary<string, string> Parameters, string Priority, TimeSpan? Timeout, string? IdempotencyKey, string By) : ITaskQueueRequest;

/// <summary>The task is journaled (now, or earlier under the same idempotency key).</summary>
/// <param name="Task">The task as it stands.</param>
/// <param name="Existing">True when the idempotency key named a task submitted before.</param>
[EventManifest("autopilot.tasks.task_accepted")]
public sealed record TaskAccepted(TaskView Task, bool Existing);

/// <summary>The submit was not queued: bad kind, target, parameters, priority or timeout.</summary>
/// <param name="Reason">What is wrong, for the submitter.</param>
[EventManifest("autopilot.tasks.task_rejected")]
public sealed record TaskRejected(string Reason);

/// <summary>Asks for the known tasks (answered with <see cref="TaskList"/>).</summary>
/// <param name="Status">Only tasks in this status (<see cref="TaskStatuses"/>); null for all.</param>
[EventManifest("autopilot.tasks.list_tasks")]
public sealed record ListTasks(string? Status = null) : ITaskQueueRequest;

/// <summary>The tasks: running first, then queued in the order they will start, then finished ones, newest first.</summary>
/// <param name="Tasks">The tasks (without timelines).</param>
[EventManifest("autopilot.tasks.task_list")]
public sealed record TaskList(IReadOnlyList<TaskView> Tasks);

/// <summary>Asks for one task with its timeline (answered with <see cref="TaskDetail"/> or <see cref="TaskNotFound"/>).</summary>
/// <param name="TaskId">The task.</param>
[EventManifest("autopilot.tasks.get_task")]
public sealed record GetTask(string TaskId) : ITaskQueueRequest;

/// <summary>One task and every event of its life so far.</summary>
/// <param name="Task">The task.</param>
/// <param name="Timeline">Its events, oldest first (<see cref="TaskSubmitted"/>, <see cref="TaskStarted"/>, …).</param>
[EventManifest("autopilot.tasks.task_detail")]
public sealed record TaskDetail(TaskView Task, IReadOnlyList<TaskTimelineEntry> Timeline);

/// <summary>One event of a task's timeline.</summary>
/// <param name="Event">submitted, started, finished, cancelled or timed-out.</param>
/// <param name="Detail">What it says.</param>
/// <param name="At">When.</param>
public sealed record TaskTimelineEntry(string Event, string Detail, DateTimeOffset At);

/// <summary>No such task (never submitted, or finished long enough ago to be forgotten: see <see cref="TaskSettings.RetainFinished"/>).</summary>
/// <param name="TaskId">The task asked for.</param>
[EventManifest("autopilot.tasks.task_not_found")]
public sealed record TaskNotFound(string TaskId);

/// <summary>Cancels a queued task (answered with <see cref="TaskCancelAnswer"/> or <see cref="TaskNotFound"/>).</summary>
/// <param name="TaskId">The task.</param>
/// <param name="By">Who cancels it.</param>
[EventManifest("autopilot.tasks.cancel_task")]
public sealed record CancelTask(string TaskId, string By) : ITaskQueueRequest;

/// <summary>What became of a cancel.</summary>
/// <param name="Cancelled">True when the task was queued and is now cancelled (journaled); false when it had already started or finished.</param>
/// <param name="Task">The task as it stands.</param>
/// <param name="Message">What happened.</param>
[EventManifest("autopilot.tasks.task_cancel_answer")]
public sealed record TaskCancelAnswer(bool Cancelled, TaskView Task, string Message);

/// <summary>A task as the API shows it.</summary>
/// <param name="Id">Identity.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Target">Its target.</param>
/// <param name="Parameters">Its parameters.</param>
/// <param name="Priority">Its priority.</param>
/// <param name="Timeout">How long it may run.</param>
/// <param name="Status">One of <see cref="TaskStatuses"/>.</param>
/// <param name="SubmittedBy">Who submitted it.</param>
/// <param name="SubmittedAt">When.</param>
/// <param name="StartedAt">When it started, if it did.</param>
/// <param name="FinishedAt">When it ended, if it did.</param>
/// <param name="Detail">Its outcome's detail, once finished.</param>
/// <param name="ActionId">The orchestrator's action it led to, if any.</param>
/// <param name="IdempotencyKey">The submitter's key, if any.</param>
public sealed record TaskView(
    string Id, string Kind, string Target, IReadOnlyDictionary<string, string> Parameters, string Priority, TimeSpan Timeout, string Status, string SubmittedBy,
    DateTimeOffset SubmittedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Detail, string? ActionId, string? IdempotencyKey);
