using Autopilot.Daemon.ClusterHarness.Configuration;

namespace Autopilot.Daemon.ClusterHarness.Cluster;

/// <summary>How <see cref="DaemonCluster.StartAsync"/> sets a cluster up.</summary>
public sealed record DaemonClusterOptions
{
    /// <summary>Number of daemon processes.</summary>
    public int Nodes { get; init; } = 3;

    /// <summary>Cluster timings written to every node's file.</summary>
    public ClusterTimings Timings { get; init; } = ClusterTimings.Test;

    /// <summary>Time a Railway deployment spends in each status.</summary>
    public TimeSpan DeploymentStep { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Names the database (and temp directory), so leftovers can be traced to a scenario.</summary>
    public string Purpose { get; init; } = "cluster";

    /// <summary>Limit for the nodes to become ready (first start builds nothing, but a loaded machine is slow to JIT).</summary>
    public TimeSpan StartDeadline { get; init; } = TimeSpan.FromSeconds(120);
}
