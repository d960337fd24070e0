using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Serialization;

namespace Autopilot.Agents.Tasks;

// The task queue's journal. Each event is an audit event (domain "tasks"), so a task's life is on the audit trail, the
// live SSE stream and `autopilot audit` beside the decisions and actions it led to.

/// <summary>A task was accepted into the queue (the 202 of <c>POST /api/tasks</c> is answered after this is journaled).</summary>
/// <param name="TaskId">Identity.</param>
/// <param name="Kind">Its kind from the <see cref="TaskCatalog"/>.</param>
/// <param name="Target">What it acts on (a service, a health target, a workflow, a scenario: see the kind).</param>
/// <param name="Parameters">The kind's parameters.</param>
/// <param name="Priority">One of <see cref="TaskPriorities"/>.</param>
/// <param name="Timeout">How long it may run once started.</param>
/// <param name="IdempotencyKey">The submitter's key: a submit with the same key returns this task, or null.</param>
/// <param name="By">Who submitted it.</param>
/// <param name="Service">The service it concerns (<see cref="TaskCatalog.ServiceOf"/>), or null (a drill).</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.task_submitted", Version = 2)]
public sealed record TaskSubmitted(
    string TaskId, string Kind, string Target, IReadOnlyDictionary<string, string> Parameters, string Priority, TimeSpan Timeout, string? IdempotencyKey, string By,
    string? Service, DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.Tasks;
}

/// <summary>A task left the queue and was sent to the orchestrator (recorded before it is sent).</summary>
/// <param name="TaskId">The task.</param>
/// <param name="Service">The service it concerns, as submitted.</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.task_started", Version = 2)]
public sealed record TaskStarted(string TaskId, string? Service, DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.Tasks;
}

/// <summary>A running task ended with an outcome (see <see cref="TaskStatuses"/>).</summary>
/// <param name="TaskId">The task.</param>
/// <param name="Outcome">
/// <see cref="TaskStatuses.Succeeded"/>, <see cref="TaskStatuses.Failed"/>, <see cref="TaskStatuses.Refused"/> (by the
/// rails), <see cref="TaskStatuses.DryRun"/>, <see cref="TaskStatuses.NeedsApproval"/> or <see cref="TaskStatuses.Interrupted"/>.
/// </param>
/// <param name="Detail">What happened or why.</param>
/// <param name="ActionId">The orchestrator's action the task led to, if any.</param>
/// <param name="Service">The service it concerns, as submitted.</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.task_finished", Version = 2)]
public sealed record TaskFinished(string TaskId, string Outcome, string Detail, string? ActionId, string? Service, DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.Tasks;
}

/// <summary>A queued task was cancelled before it started.</summary>
/// <param name="TaskId">The task.</param>
/// <param name="By">Who cancelled it.</param>
/// <param name="Service">The service it concerns, as submitted.</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.task_cancelled", Version = 2)]
public sealed record TaskCancelled(string TaskId, string By, string? Service, DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.Tasks;
}

/// <summary>
/// A running task passed its timeout and was cut off: the queue stops waiting for it and frees its target. An action it
/// already requested is not undone; its own result still lands on the audit trail under its action id.
/// </summary>
/// <param name="TaskId">The task.</param>
/// <param name="Detail">What it was waiting for.</param>
/// <param name="ActionId">The action it had requested, if any.</param>
/// <param name="Service">The service it concerns, as submitted.</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.task_timed_out", Version = 2)]
public sealed record TaskTimedOut(string TaskId, string Detail, string? ActionId, string? Service, DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.Tasks;
}

/// <summary>
/// v1 → v2 of the task events: v2 carries the service a task concerns (so <c>?service=</c> on the audit stream finds a
/// task's life), unknown (null) for v1 events.
/// </summary>
/// <param name="manifest">The event's manifest.</param>
public abstract class TaskEventV1(string manifest) : IEventUpcaster
{
    /// <inheritdoc />
    public string Manifest => manifest;

    /// <inheritdoc />
    public int FromVersion => 1;

    /// <inheritdoc />
    public JsonNode Upcast(JsonNode json)
    {
        json.AsObject()["service"] = null;
        return json;
    }
}

/// <summary>v1 → v2 of <see cref="TaskSubmitted"/> (see <see cref="TaskEventV1"/>).</summary>
public sealed class TaskSubmittedV1() : TaskEventV1("autopilot.task_submitted");

/// <summary>v1 → v2 of <see cref="TaskStarted"/> (see <see cref="TaskEventV1"/>).</summary>
public sealed class TaskStartedV1() : TaskEventV1("autopilot.task_started");

/// <summary>v1 → v2 of <see cref="TaskFinished"/> (see <see cref="TaskEventV1"/>).</summary>
public sealed class TaskFinishedV1() : TaskEventV1("autopilot.task_finished");

/// <summary>v1 → v2 of <see cref="TaskCancelled"/> (see <see cref="TaskEventV1"/>).</summary>
public sealed class TaskCancelledV1() : TaskEventV1("autopilot.task_cancelled");

/// <summary>v1 → v2 of <see cref="TaskTimedOut"/> (see <see cref="TaskEventV1"/>).</summary>
public sealed class TaskTimedOutV1() : TaskEventV1("autopilot.task_timed_out");

/// <summary>A task's status as the API shows it.</summary>
public static class TaskStatuses
{
    /// <summary>Waiting for its turn.</summary>
    public const string Queued = "queued";

    /// <summary>Sent to the orchestrator, not finished.</summary>
    public const string Running = "running";

    /// <summary>Done as asked.</summary>
    public const string Succeeded = "succeeded";

    /// <summary>Its action failed.</summary>
    public const string Failed = "failed";

    /// <summary>The orchestrator's rails refused it (paused, unknown target, busy, …).</summary>
    public const string Refused = "refused";

    /// <summary>Dry-run: decided and recorded, not executed.</summary>
    public const string DryRun = "dry-run";

    /// <summary>Over budget: put to a human as an approval; the task itself is over.</summary>
    public const string NeedsApproval = "needs-approval";

    /// <summary>The daemon stopped while it ran; not run again (see the reconcile rule in docs/architecture.md).</summary>
    public const string Interrupted = "interrupted";

    /// <summary>Cancelled while queued.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Cut off at its timeout.</summary>
    public const string TimedOut = "timed-out";

    /// <summary>Every status, for validating a filter and listing them.</summary>
    public static IReadOnlyList<string> All { get; } = [Queued, Running, Succeeded, Failed, Refused, DryRun, NeedsApproval, Interrupted, Cancelled, TimedOut];

    /// <summary>Whether a task in <paramref name="status"/> is over.</summary>
    public static bool IsFinal(string status) => status is not (Queued or Running);
}

/// <summary>Task priorities: higher first, first-in first-out within one.</summary>
public static class TaskPriorities
{
    /// <summary>Before everything else.</summary>
    public const string High = "high";

    /// <summary>The default.</summary>
    public const string Normal = "normal";

    /// <summary>After everything else.</summary>
    public const string Low = "low";

    /// <summary>The known priorities, highest first.</summary>
    public static IReadOnlyList<string> All { get; } = [High, Normal, Low];

    /// <summary>0 for high, 1 for normal, 2 for low (the queue's sort key); -1 for anything else.</summary>
    public static int Rank(string priority) => priority switch
    {
        High => 0,
        Normal => 1,
        Low => 2,
        _ => -1,
    };
}
