using Autopilot.Agents.Protocol;

namespace Autopilot.Agents.Tasks;

/// <summary>
/// The queue's state, rebuilt from its events: every retained task with its status and timeline, the idempotency keys,
/// and the order tasks start in (priority, then submission). Only <see cref="TaskQueue"/> changes it.
/// </summary>
internal sealed class TaskBook(int retainFinished)
{
    private readonly Dictionary<string, Entry> _tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _keys = new(StringComparer.Ordinal);
    private readonly Queue<string> _finished = new();
    private long _submissions;

    /// <summary>The task under an idempotency key, or null.</summary>
    public string? TaskWithKey(string key) => _keys.GetValueOrDefault(key);

    /// <summary>The status of a task, or null when unknown.</summary>
    public string? StatusOf(string taskId) => _tasks.GetValueOrDefault(taskId)?.Status;

    /// <summary>The submission of a task, or null when unknown.</summary>
    public TaskSubmitted? Submission(string taskId) => _tasks.GetValueOrDefault(taskId)?.Submitted;

    /// <summary>The action a running task is waiting for, if the orchestrator named one.</summary>
    public string? ActionOf(string taskId) => _tasks.GetValueOrDefault(taskId)?.ActionId;

    /// <summary>Remembers the action a running task waits for (what the orchestrator answered; not an event).</summary>
    public void NoteAction(string taskId, string actionId)
    {
        if (_tasks.TryGetValue(taskId, out var entry))
        {
            entry.ActionId = actionId;
        }
    }

    /// <summary>The tasks that are running.</summary>
    public IReadOnlyList<Entry> Running => _tasks.Values.Where(t => t.Status == TaskStatuses.Running).OrderBy(t => t.Order).ToArray();

    /// <summary>
    /// The next queued task allowed to start: highest priority first, first submitted first within a priority, skipping
    /// tasks whose target has a running task (one task per target at a time); null when none may start.
    /// </summary>
    public TaskSubmitted? NextToStart()
    {
        var busy = _tasks.Values.Where(t => t.Status == TaskStatuses.Running).Select(t => t.Submitted.Target).ToHashSet(StringComparer.Ordinal);
        return Queued().FirstOrDefault(t => !busy.Contains(t.Submitted.Target))?.Submitted;
    }

    /// <summary>Applies a journaled (or about to be journaled) event.</summary>
    public void Apply(IAuditEvent @event)
    {
        switch (@event)
        {
            case TaskSubmitted submitted:
                var entry = new Entry(submitted, ++_submissions);
                entry.Timeline.Add(new TaskTimelineEntry("submitted",
                    $"{submitted.Kind} of {submitted.Target} by {submitted.By} ({submitted.Priority}, timeout {submitted.Timeout})", submitted.At));
                _tasks[submitted.TaskId] = entry;
                if (submitted.IdempotencyKey is { } key)
                {
                    _keys[key] = submitted.TaskId;
                }

                break;
            case TaskStarted started when _tasks.TryGetValue(started.TaskId, out var task):
                task.Status = TaskStatuses.Running;
                task.StartedAt = started.At;
                task.Timeline.Add(new TaskTimelineEntry("started", "sent to the orchestrator", started.At));
                break;
            case TaskFinished finished when _tasks.TryGetValue(finished.TaskId, out var task):
                task.ActionId = finished.ActionId ?? task.ActionId;
                Close(task, finished.Outcome, finished.Detail, finished.At, "finished");
                break;
            case TaskCancelled cancelled when _tasks.TryGetValue(cancelled.TaskId, out var task):
                Close(task, TaskStatuses.Cancelled, $"cancelled by {cancelled.By}", cancelled.At, "cancelled");
                break;
            case TaskTimedOut timedOut when _tasks.TryGetValue(timedOut.TaskId, out var task):
                task.ActionId = timedOut.ActionId ?? task.ActionId;
                Close(task, TaskStatuses.TimedOut, timedOut.Detail, timedOut.At, "timed-out");
                break;
        }
    }

    /// <summary>One task as the API shows it, or null when unknown.</summary>
    public TaskView? View(string taskId) => _tasks.TryGetValue(taskId, out var entry) ? entry.View() : null;

    /// <summary>One task with its timeline, or null when unknown.</summary>
    public TaskDetail? Detail(string taskId) => _tasks.TryGetValue(taskId, out var entry) ? new TaskDetail(entry.View(), entry.Timeline.ToArray()) : null;

    /// <summary>Running tasks, then queued ones in the order they would start, then finished ones newest first.</summary>
    public IReadOnlyList<TaskView> List(string? status) =>
        Running
            .Concat(Queued())
            .Concat(_tasks.Values.Where(t => TaskStatuses.IsFinal(t.Status)).OrderByDescending(t => t.FinishedAt).ThenByDescending(t => t.Order))
            .Where(t => status is null || t.Status == status)
            .Select(t => t.View())
            .ToArray();

    private IEnumerable<Entry> Queued() =>
        _tasks.Values.Where(t => t.Status == TaskStatuses.Queued).OrderBy(t => TaskPriorities.Rank(t.Submitted.Priority)).ThenBy(t => t.Order);

    private void Close(Entry task, string status, string detail, DateTimeOffset at, string what)
    {
        task.Status = status;
        task.Detail = detail;
        task.FinishedAt = at;
        task.Timeline.Add(new TaskTimelineEntry(what, what == "finished" ? $"{status}: {detail}" : detail, at));
        _finished.Enqueue(task.Submitted.TaskId);
        // Forget the oldest finished tasks beyond the limit (the same on every replay: it follows from the events).
        while (_finished.Count > retainFinished && _finished.TryDequeue(out var oldest))
        {
            if (_tasks.Remove(oldest, out var forgotten) && forgotten.Submitted.IdempotencyKey is { } key)
            {
                _keys.Remove(key);
            }
        }
    }

    /// <summary>One task's state.</summary>
    internal sealed class Entry(TaskSubmitted submitted, long order)
    {
        public TaskSubmitted Submitted { get; } = submitted;

        public long Order { get; } = order;

        public string Status { get; set; } = TaskStatuses.Queued;

        public DateTimeOffset? StartedAt { get; set; }

        public DateTimeOffset? FinishedAt { get; set; }

        public string? Detail { get; set; }

        public string? ActionId { get; set; }

        public List<TaskTimelineEntry> Timeline { get; } = [];

        public TaskView View() => new(Submitted.TaskId, Submitted.Kind, Submitted.Target, Submitted.Parameters, Submitted.Priority, Submitted.Timeout, Status,
            Submitted.By, Submitted.At, StartedAt, FinishedAt, Detail, ActionId, Submitted.IdempotencyKey);
    }
}
