using Akka.Actor;
using Autopilot.Agents.Fencing;
using Autopilot.Agents.Orchestrator;
using Autopilot.Coordination.PostgreSql;

namespace Autopilot.Daemon.Cluster;

/// <summary>
/// The workers' fence in a cluster: the orchestrator singleton's own PostgreSQL lease. A call goes ahead only while this
/// node can prove it still holds the lease (its last renewal is younger than the validity window on the monotonic
/// clock), and the action records the tenure's fencing token; a node frozen past its lease wakes up unable to call.
/// </summary>
public sealed class SingletonLeaseFence(ActorSystem system, string node) : IActionFence
{
    private readonly Lazy<PostgreSqlLease> _lease = new(() => SingletonLeases.Of(system, AutopilotTree.OrchestratorName));

    /// <inheritdoc />
    public FenceCheck Check() => _lease.Value.TryGetFencingToken(out var token)
        ? FenceCheck.HeldWith(token, node)
        : FenceCheck.NotHeld($"the orchestrator's lease is not held by {node}");
}
