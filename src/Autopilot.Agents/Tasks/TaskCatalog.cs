using Autopilot.Agents.Migrations;
using Autopilot.Agents.Policy;
using Autopilot.Agents.Protocol;

namespace Autopilot.Agents.Tasks;

/// <summary>
/// One kind of task: what its target means, which parameters it needs, and the orchestrator message that carries it out.
/// </summary>
/// <param name="Name">The kind as submitted, e.g. <c>rollback</c>.</param>
/// <param name="Description">One line for the documentation and <c>autopilot task kinds</c>-style listings.</param>
/// <param name="Target">What the task's target names.</param>
/// <param name="Required">Parameters that must be present and non-empty.</param>
/// <param name="Service">The service a task on a target concerns (what the rails count and the audit trail files it under), or null.</param>
/// <param name="Command">The message sent to the orchestrator when the task starts (task id, task) → message.</param>
public sealed record TaskKind(string Name, string Description, string Target, IReadOnlyList<string> Required, Func<string, string?> Service,
    Func<string, TaskSubmitted, object> Command);

/// <summary>
/// The documented catalogue of task kinds. Every kind runs through the orchestrator, so its rails apply: the production
/// changes are a <see cref="RunTaskAction"/> (pause, dry-run, one action per service at a time, budget → approval), a
/// drill and a readiness assessment are the orchestrator's own <see cref="RunDrill"/> and <see cref="AssessReadiness"/>.
/// Adding a kind is one entry here.
/// </summary>
public static class TaskCatalog
{
    /// <summary>Parameter of <c>fallback-run</c>: the failed n8n execution to run again through the fallback tiers.</summary>
    public const string ExecutionParameter = "execution";

    /// <summary>Parameter of <c>gate</c>: the commit to assess.</summary>
    public const string CommitParameter = "commit";

    /// <summary>Every kind, by name.</summary>
    public static IReadOnlyDictionary<string, TaskKind> Kinds { get; } = new TaskKind[]
    {
        new("redeploy", "Redeploy the Railway service behind a health target (the health worker's redeploy).", "a health target (autopilot.agents.health.targets)", [], target => target,
            (id, t) => Action(id, t, WorkerNames.Health, PolicyActions.Redeploy, new Dictionary<string, string> { [ActionParameters.Target] = t.Target })),
        new("restart", "Restart a service's current Railway deployment.", "a watched service (autopilot.agents.railway.services)", [], target => target,
            (id, t) => Action(id, t, WorkerNames.Railway, PolicyActions.Restart)),
        new("rollback", "Roll a service back to its last good deployment.", "a watched service", [], target => target,
            (id, t) => Action(id, t, WorkerNames.Railway, PolicyActions.Rollback)),
        new("fallback-run", "Run a failed n8n execution again through the fallback tiers (retry, then the tiers in order).", "an n8n workflow id", [ExecutionParameter], target => $"n8n:{target}",
            (id, t) => Action(id, t, WorkerNames.N8n, PolicyActions.RecoverWorkflow, new Dictionary<string, string>
            {
                [ActionParameters.WorkflowId] = t.Target,
                [ActionParameters.ExecutionId] = t.Parameters[ExecutionParameter],
            })),
        new("drill", "Feed a synthetic situation through the policy and record what it would do, doing nothing.", "a situation of the policy table, e.g. build-failed", [], _ => null,
            (_, t) => new RunDrill(t.Target)),
        new("migrate", "Apply a database target's pending migrations (backup, one transaction per file, verify, restore on failure); "
                       + "with destructive statements the task fails having changed nothing, and the migration waits for a human's approval.", "a migration target (autopilot.agents.migrations.targets)", [], MigrationTarget.ServiceOf,
            (id, t) => Action(id, t, MigrationsWorker.WorkerName(t.Target), PolicyActions.Migrate,
                new Dictionary<string, string> { [ActionParameters.MigrationTarget] = t.Target })),
        new("gate", "Assess a commit with the production-readiness gate (reads GitHub; deploys nothing).", "a watched service", [CommitParameter], target => target,
            (_, t) => new AssessReadiness(t.Target, t.Parameters[CommitParameter])),
    }.ToDictionary(k => k.Name, StringComparer.Ordinal);

    /// <summary>Why <paramref name="kind"/> with these values cannot be queued, or null when it can.</summary>
    public static string? Problem(string kind, string target, IReadOnlyDictionary<string, string> parameters)
    {
        if (!Kinds.TryGetValue(kind, out var known))
        {
            return $"unknown task kind \"{kind}\"; known: {string.Join(", ", Kinds.Keys.Order(StringComparer.Ordinal))}";
        }

        if (string.IsNullOrWhiteSpace(target))
        {
            return $"a {kind} task needs a target: {known.Target}";
        }

        var missing = known.Required.Where(p => !parameters.TryGetValue(p, out var value) || string.IsNullOrWhiteSpace(value)).ToArray();
        return missing.Length == 0 ? null : $"a {kind} task needs the parameter(s) {string.Join(", ", missing)}";
    }

    /// <summary>The service a task of <paramref name="kind"/> on <paramref name="target"/> concerns (its rails and its audit trail), or null.</summary>
    public static string? ServiceOf(string kind, string target) => Kinds.TryGetValue(kind, out var known) ? known.Service(target) : null;

    private static RunTaskAction Action(
        string taskId, TaskSubmitted task, string worker, string action, IReadOnlyDictionary<string, string>? parameters = null) =>
        new(taskId, worker, action, ServiceOf(task.Kind, task.Target) ?? task.Target, parameters ?? new Dictionary<string, string>(), task.By);
}
