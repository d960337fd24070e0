using Autopilot.Actors;

namespace Autopilot.Daemon.Cluster;

/// <summary>
/// Shutdown reason of a node that won the orchestrator lease but could not start the orchestrator: it leaves (handing
/// the lease to a standby) and exits with <see cref="Hosting.DaemonExitCodes.Failed"/> rather than hold the lease idle.
/// </summary>
/// <param name="cause">What failed (no secrets: the exception message of the start).</param>
public sealed class SingletonFailedReason(string cause) : CoordinatedShutdown.Reason
{
    /// <summary>What failed.</summary>
    public string Cause { get; } = cause;

    /// <inheritdoc />
    public override string ToString() => $"{nameof(SingletonFailedReason)}: {Cause}";
}
