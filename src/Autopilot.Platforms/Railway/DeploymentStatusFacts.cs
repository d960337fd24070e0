namespace Autopilot.Platforms.Railway;

/// <summary>How the monitor should read a <see cref="DeploymentStatus"/>.</summary>
public static class DeploymentStatusFacts
{
    /// <summary>True for the statuses a deployment passes through on its way to an outcome.</summary>
    public static bool IsInProgress(this DeploymentStatus status) =>
        status is DeploymentStatus.Queued or DeploymentStatus.Waiting or DeploymentStatus.Initializing
            or DeploymentStatus.Building or DeploymentStatus.Deploying or DeploymentStatus.NeedsApproval;

    /// <summary>True for outcomes that need repair: the build failed or the running process crashed.</summary>
    public static bool IsBroken(this DeploymentStatus status) =>
        status is DeploymentStatus.Failed or DeploymentStatus.Crashed;

    /// <summary>True only for <see cref="DeploymentStatus.Success"/>.</summary>
    public static bool IsHealthy(this DeploymentStatus status) => status == DeploymentStatus.Success;
}
