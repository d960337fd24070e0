using Autopilot.Daemon.ClusterHarness.Cluster;
using Autopilot.Simulator.Hosting;

namespace Autopilot.Daemon.ClusterTests;

/// <summary>The moment every scenario aims at: Railway has performed the leader's rollback, the leader has not heard back.</summary>
/// <param name="Before">The leader that asked for the rollback, and its lease token.</param>
/// <param name="Answer">Holds Railway's answer to the rollback until the test releases it.</param>
/// <param name="RollbackActionId">The rollback's action id in the audit trail.</param>
/// <param name="CrashedDeploymentId">The release that crashed twice.</param>
/// <param name="RollbackDeploymentId">The deployment Railway created for the rollback.</param>
public sealed record RollbackInFlight(Leadership Before, AnswerHold Answer, string RollbackActionId, string CrashedDeploymentId, string RollbackDeploymentId);
