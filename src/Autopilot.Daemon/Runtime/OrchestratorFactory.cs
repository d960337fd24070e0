using Akka.Actor;
using Akka.Configuration;
using Autopilot.Agents.Fencing;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Metrics;
using Autopilot.Platforms.Redaction;
using Microsoft.Extensions.Logging;

namespace Autopilot.Daemon.Runtime;

/// <summary>
/// The recipe of the orchestrator (and the worker tree below it), made once the journal is up. The host decides where
/// it runs: <c>/user/orchestrator</c> on a single node, or the cluster singleton under <c>/user/orchestrator</c> on
/// the oldest node, reached through a proxy from every node. The daemon only talks to it with the control messages of
/// <c>Autopilot.Agents.Protocol</c> and hands it webhooks.
/// </summary>
/// <param name="system">The running actor system (persistence configured by the host).</param>
/// <param name="context">Configuration, settings, clock and metrics.</param>
/// <returns>Props of the orchestrator's supervisor (see <c>AutopilotTree.SupervisedProps</c>).</returns>
public delegate Props OrchestratorFactory(ActorSystem system, OrchestratorContext context);

/// <summary>What an <see cref="OrchestratorFactory"/> gets to build the tree.</summary>
/// <param name="Config">The effective configuration (for <c>autopilot.agents.*</c>).</param>
/// <param name="Settings">The daemon's validated settings (platform endpoints and credentials).</param>
/// <param name="Time">The clock.</param>
/// <param name="LoggerFactory">Loggers (secrets already redacted by the sink).</param>
/// <param name="Metrics">Instruments to record actions, platform calls and alerts.</param>
/// <param name="Redactor">The log redactor; clients register the secrets they load with it.</param>
/// <param name="Owned">Resources the tree's clients hold (HTTP clients, token sources), disposed after the journal closes.</param>
/// <param name="Fence">What the workers check right before every platform side effect: the orchestrator singleton's lease in a cluster, nothing on a single node.</param>
public sealed record OrchestratorContext(
    Config Config, DaemonSettings Settings, TimeProvider Time, ILoggerFactory LoggerFactory, AutopilotMetrics Metrics, Redactor Redactor, ICollection<IDisposable> Owned,
    IActionFence Fence)
{
    /// <summary>Hands <paramref name="resource"/> to the runtime for disposal at shutdown and returns it.</summary>
    public T Own<T>(T resource)
        where T : IDisposable
    {
        Owned.Add(resource);
        return resource;
    }
}
