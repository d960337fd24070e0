using Autopilot.Platforms.Http;

namespace Autopilot.Daemon.Cluster;

/// <summary>
/// A platform call of the singleton was refused before it left the process because this node no longer holds a
/// valid lease (it was paused, partitioned or superseded). Not transient: the clients do not retry it, and the new
/// leader decides again from the journal.
/// </summary>
public sealed class PlatformCallRefusedException(string platform, long token)
    : PlatformException(platform, $"The {platform} call was refused: this node no longer holds the orchestrator lease (fencing token {token}).", null, false, null)
{
    /// <summary>The fencing token the refused singleton ran with.</summary>
    public long Token { get; } = token;
}
