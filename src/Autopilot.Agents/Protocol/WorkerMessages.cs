namespace Autopilot.Agents.Protocol;

/// <summary>
/// A command from the orchestrator to a worker that carries an action id. The worker answers every such command with
/// exactly one <see cref="WorkerResult"/> carrying the same id — also when the action failed or the worker was
/// restarted mid-way — so the orchestrator can close the <see cref="ActionRequested"/> it recorded. (When a worker
/// throws, the orchestrator stops it, records its in-flight actions as failed itself, and starts it again after a
/// backoff; a late result for such an action is ignored.)
/// </summary>
public interface IWorkerCommand
{
    /// <summary>Identity of the action, as recorded in <see cref="ActionRequested.ActionId"/>.</summary>
    string ActionId { get; }
}

/// <summary>The single answer to an <see cref="IWorkerCommand"/>.</summary>
/// <param name="ActionId">The command's action id.</param>
/// <param name="Success">Whether the action achieved its goal.</param>
/// <param name="Detail">What happened, for the audit log (redacted).</param>
/// <param name="Error">Why it failed, for the audit log (redacted); null on success.</param>
public sealed record WorkerResult(string ActionId, bool Success, string? Detail = null, string? Error = null);

/// <summary>
/// An unsolicited observation a worker sends its parent, the orchestrator (e.g. <see cref="DeploymentStatusChanged"/>,
/// <see cref="N8nFailureDetected"/>, <see cref="HealthCheckFailed"/>). An observation that is itself an
/// <see cref="IAuditEvent"/> is persisted by the orchestrator as it is, so workers need no journal of their own.
/// </summary>
/// <param name="Worker">The reporting worker's name (railway, github, n8n, fallback, alerts, health).</param>
/// <param name="Observation">What it saw.</param>
public sealed record WorkerReport(string Worker, object Observation);

/// <summary>The names of the orchestrator's children, which are also the worker names in reports and audit events.</summary>
public static class WorkerNames
{
    /// <summary>Railway deployments.</summary>
    public const string Railway = "railway";

    /// <summary>GitHub issues, commits, checks, workflows.</summary>
    public const string GitHub = "github";

    /// <summary>n8n workflows.</summary>
    public const string N8n = "n8n";

    /// <summary>Fallback routing when a primary path is down.</summary>
    public const string Fallback = "fallback";

    /// <summary>Alert delivery.</summary>
    public const string Alerts = "alerts";

    /// <summary>Health probes of services and dependencies.</summary>
    public const string Health = "health";

    /// <summary>The production-readiness gate: judges a commit before the autopilot deploys it (reads GitHub only).</summary>
    public const string Readiness = "readiness";

    /// <summary>The start of the name of a target database's migrations worker (<c>migrations-&lt;target&gt;</c>).</summary>
    public const string MigrationsPrefix = "migrations-";
}

/// <summary>Asks the n8n worker to recover a failed execution (retry, or its configured fallback); answered with a <see cref="WorkerResult"/>.</summary>
/// <param name="ActionId">Action id.</param>
/// <param name="WorkflowId">Workflow.</param>
/// <param name="ExecutionId">The failed execution.</param>
public sealed record RecoverWorkflow(string ActionId, string WorkflowId, string ExecutionId) : IWorkerCommand;
