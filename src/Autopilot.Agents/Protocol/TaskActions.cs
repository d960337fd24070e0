using Autopilot.Agents.Serialization;

namespace Autopilot.Agents.Protocol;

// What the task queue (a child of the orchestrator) asks of the orchestrator. An operator's task is a request like any
// other: the orchestrator puts it through its rails (pause, dry-run, one action per service at a time, budget → approval)
// and records it exactly as it records its own decisions.

/// <summary>
/// Asks the orchestrator to carry out <paramref name="Action"/> (a policy action, e.g. <c>rollback</c>) on
/// <paramref name="Service"/> for task <paramref name="TaskId"/>. Answered with a <see cref="TaskActionAnswer"/>; when the
/// action was requested, its result follows later as a <see cref="TaskActionSettled"/> sent to the orchestrator's
/// <c>tasks</c> child. The task id is recorded in the action's parameters (<see cref="ActionParameters.TaskId"/>), which
/// links the task to its action in the audit trail and lets a restarted queue find it.
/// </summary>
/// <param name="TaskId">The task.</param>
/// <param name="Worker">The worker that performs the action (<see cref="WorkerNames"/>).</param>
/// <param name="Action">The policy action.</param>
/// <param name="Service">What the action is counted against (budget, one action at a time).</param>
/// <param name="Parameters">The action's parameters (e.g. <see cref="ActionParameters.Target"/>).</param>
/// <param name="RequestedBy">Who submitted the task.</param>
[EventManifest("autopilot.control.run_task_action")]
public sealed record RunTaskAction(string TaskId, string Worker, string Action, string Service, IReadOnlyDictionary<string, string> Parameters, string RequestedBy);

/// <summary>What the orchestrator made of a <see cref="RunTaskAction"/>.</summary>
/// <param name="TaskId">The task.</param>
/// <param name="Outcome">One of <see cref="TaskActionOutcomes"/>.</param>
/// <param name="Detail">Why, for the task's timeline.</param>
/// <param name="ActionId">The requested action, when <paramref name="Outcome"/> is <see cref="TaskActionOutcomes.Requested"/>.</param>
[EventManifest("autopilot.control.task_action_answer")]
public sealed record TaskActionAnswer(string TaskId, string Outcome, string Detail, string? ActionId = null);

/// <summary>Values of <see cref="TaskActionAnswer.Outcome"/>.</summary>
public static class TaskActionOutcomes
{
    /// <summary>Recorded and handed to its worker; a <see cref="TaskActionSettled"/> follows.</summary>
    public const string Requested = "requested";

    /// <summary>The rails refused it (paused, unknown service, an action on the service still in flight).</summary>
    public const string Refused = "refused";

    /// <summary>Dry-run: decided and recorded, not executed.</summary>
    public const string DryRun = "dry-run";

    /// <summary>Over the service's budget: a human was asked to approve it (the approval decides, not the task).</summary>
    public const string NeedsApproval = "needs-approval";
}

/// <summary>The action of a task was answered by its worker (or closed as failed after a worker or orchestrator restart).</summary>
/// <param name="TaskId">The task.</param>
/// <param name="ActionId">The action.</param>
/// <param name="Success">Whether it achieved its goal.</param>
/// <param name="Detail">What happened.</param>
[EventManifest("autopilot.control.task_action_settled")]
public sealed record TaskActionSettled(string TaskId, string ActionId, bool Success, string Detail);

/// <summary>Asks whether an action of <paramref name="TaskId"/> is still pending (a restarted queue reconciling a running task).</summary>
/// <param name="TaskId">The task.</param>
[EventManifest("autopilot.control.find_task_action")]
public sealed record FindTaskAction(string TaskId);

/// <summary>The answer to <see cref="FindTaskAction"/>.</summary>
/// <param name="TaskId">The task.</param>
/// <param name="PendingActionId">The action recorded for it and not answered yet, or null when none is pending.</param>
[EventManifest("autopilot.control.task_action_state")]
public sealed record TaskActionState(string TaskId, string? PendingActionId);
