using Autopilot.Actors.Sql.Cluster;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Runtime;
using Microsoft.Extensions.Logging;

namespace Autopilot.Daemon.Cluster;

/// <summary>What every leadership of this node is built from.</summary>
/// <param name="NodeId">This node's id, recorded in the hand-over events.</param>
/// <param name="Factory">Builds the orchestrator tree.</param>
/// <param name="Context">The factory's context; each leadership gets its own <see cref="OrchestratorContext.Owned"/> and <see cref="OrchestratorContext.Lease"/>.</param>
/// <param name="Inbox">The cluster's inbox, drained by the leader.</param>
/// <param name="Cluster">Inbox batch size and poll interval.</param>
/// <param name="Log">Receives hand-over problems.</param>
public sealed record SingletonParts(string NodeId, OrchestratorFactory Factory, OrchestratorContext Context, DurableInbox Inbox, DaemonClusterSettings Cluster, ILogger Log);
