namespace Autopilot.Daemon.Hosting;

/// <summary>Exit codes of <c>autopilotd</c>, for process supervisors and scripts.</summary>
public static class DaemonExitCodes
{
    /// <summary>Stopped cleanly (SIGTERM, Ctrl+C, or left the cluster with <c>autopilot cluster leave</c>).</summary>
    public const int Stopped = 0;

    /// <summary>Failed while running (e.g. the HTTP port could not be bound).</summary>
    public const int Failed = 1;

    /// <summary>Bad arguments or configuration; the message names the key.</summary>
    public const int BadConfiguration = 2;

    /// <summary>
    /// This cluster node was downed (missed heartbeats, or an operator's <c>cluster down</c>) or superseded by a newer
    /// start of the same node id: it stopped acting and shut down; a supervisor should start it again.
    /// </summary>
    public const int Downed = 3;
}
