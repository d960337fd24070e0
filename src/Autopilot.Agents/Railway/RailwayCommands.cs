using Autopilot.Agents.Protocol;

namespace Autopilot.Agents.Railway;

/// <summary>Deploy <paramref name="Commit"/> to <paramref name="Service"/> and watch it.</summary>
public sealed record DeployCommit(string ActionId, string Service, string Commit) : IWorkerCommand;

/// <summary>
/// Roll <paramref name="Service"/> back to its last good deployment (the newest one Railway allows rolling back to that is
/// older than <paramref name="BrokenDeploymentId"/>), then watch the rollback until it is stable.
/// </summary>
public sealed record RollbackService(string ActionId, string Service, string? BrokenDeploymentId) : IWorkerCommand;

/// <summary>Restart the instances of a crashed deployment and watch it again.</summary>
public sealed record RestartDeployment(string ActionId, string Service, string DeploymentId) : IWorkerCommand;

/// <summary>
/// After a restart of the orchestrator: find out from Railway whether an action recorded as requested (but never
/// answered) took effect. Success means it did (Detail says how it was recognised); the worker never repeats it.
/// </summary>
/// <param name="ActionId">The unanswered action.</param>
/// <param name="Action">Its policy action name (deploy, rollback, restart).</param>
/// <param name="Service">Service.</param>
/// <param name="RequestedAt">When it was recorded; platform changes after this instant count as its effect.</param>
/// <param name="DeploymentId">The deployment it concerned, if any.</param>
public sealed record ReconcileAction(string ActionId, string Action, string Service, DateTimeOffset RequestedAt, string? DeploymentId) : IWorkerCommand;

/// <summary>Observe step: read each watched service's newest deployment and report changes; start monitors for unsettled ones.</summary>
public sealed record ObserveServices
{
    /// <summary>The single instance.</summary>
    public static ObserveServices Instance { get; } = new();
}

/// <summary>Starts a monitor for a deployment the worker did not start itself (e.g. from a webhook).</summary>
public sealed record WatchDeployment(string Service, string DeploymentId, string Purpose, string? Commit);

/// <summary>Why a deployment is watched, carried into <see cref="DeploymentStatusChanged.Purpose"/>.</summary>
public static class WatchPurposes
{
    /// <summary>The autopilot deployed it.</summary>
    public const string Deploy = "deploy";

    /// <summary>The autopilot rolled back to it.</summary>
    public const string Rollback = "rollback";

    /// <summary>The autopilot restarted it.</summary>
    public const string Restart = "restart";

    /// <summary>Seen while observing; not started by the autopilot.</summary>
    public const string Observed = "observed";
}
