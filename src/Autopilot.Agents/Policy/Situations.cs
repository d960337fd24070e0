namespace Autopilot.Agents.Policy;

/// <summary>
/// The situations the orchestrator's orient step can classify an observation into; each is a key of the policy
/// table (<c>autopilot.agents.policy</c>). Keeping them a closed set lets a typo in the table fail at start-up.
/// </summary>
public static class Situations
{
    /// <summary>A commit on a watched branch passed its checks.</summary>
    public const string ChecksPassed = "checks-passed";

    /// <summary>A commit on a watched branch failed its checks.</summary>
    public const string ChecksFailed = "checks-failed";

    /// <summary>A deployment the autopilot started reached SUCCESS.</summary>
    public const string DeploySucceeded = "deploy-succeeded";

    /// <summary>A build (or rollout) FAILED.</summary>
    public const string BuildFailed = "build-failed";

    /// <summary>A running deployment CRASHED and its logs show it ran out of memory.</summary>
    public const string CrashedOutOfMemory = "crashed-out-of-memory";

    /// <summary>A running deployment CRASHED because a dependency refused connections.</summary>
    public const string CrashedConnectionRefused = "crashed-connection-refused";

    /// <summary>A running deployment CRASHED for no recognisable reason, the first time.</summary>
    public const string CrashedTransient = "crashed-transient";

    /// <summary>A deployment CRASHED again after the autopilot restarted it.</summary>
    public const string CrashedAgain = "crashed-again";

    /// <summary>A crashed service's dependencies are unhealthy: repairing the service would not help.</summary>
    public const string DependencyDown = "dependency-down";

    /// <summary>A rollback the autopilot started reached SUCCESS.</summary>
    public const string RollbackSucceeded = "rollback-succeeded";

    /// <summary>A rollback the autopilot started FAILED or CRASHED.</summary>
    public const string RollbackFailed = "rollback-failed";

    /// <summary>A deployment did not settle within the stabilisation timeout.</summary>
    public const string DeploymentHung = "deployment-hung";

    /// <summary>A deployment waits for a human approval.</summary>
    public const string NeedsApproval = "needs-approval";

    /// <summary>Railway reported a status this build does not know.</summary>
    public const string StatusUnknown = "status-unknown";

    /// <summary>An n8n workflow execution failed.</summary>
    public const string N8nFailure = "n8n-failure";

    /// <summary>A health probe failed.</summary>
    public const string HealthCheckFailed = "health-check-failed";

    /// <summary>A target database has migration files not yet applied (a push touched its folder, the start-up check, or an operator).</summary>
    public const string MigrationsPending = "migrations-pending";

    /// <summary>A migration was applied and verified.</summary>
    public const string MigrationSucceeded = "migration-succeeded";

    /// <summary>A migration failed (and was restored from its backup, or needs a human), its backup failed, or it was refused.</summary>
    public const string MigrationFailed = "migration-failed";

    /// <summary>A migration was cut off by a crash; after the restart the worker settled where it stopped.</summary>
    public const string MigrationInterrupted = "migration-interrupted";

    /// <summary>Every situation, for validating the policy table.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        ChecksPassed, ChecksFailed, DeploySucceeded, BuildFailed, CrashedOutOfMemory, CrashedConnectionRefused, CrashedTransient,
        CrashedAgain, DependencyDown, RollbackSucceeded, RollbackFailed, DeploymentHung, NeedsApproval, StatusUnknown, N8nFailure,
        HealthCheckFailed, MigrationsPending, MigrationSucceeded, MigrationFailed, MigrationInterrupted,
    };

    /// <summary>
    /// Whether production is impaired in <paramref name="situation"/>: a decision on it that is not carried out for want
    /// of confidence is still alerted (CRITICAL), so a human knows nobody acted.
    /// </summary>
    public static bool IsSevere(string situation) =>
        situation is BuildFailed or CrashedOutOfMemory or CrashedConnectionRefused or CrashedTransient or CrashedAgain or DependencyDown or RollbackFailed
            or HealthCheckFailed or MigrationFailed;
}
