using System.Collections.Concurrent;
using Akka.Actor;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Railway;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Orchestrator;

/// <summary>
/// A rollback's SUCCESS resolves its incident even when a routine observe pass saw that deployment up first, as a new
/// leader's first pass does while its recovery is still checking the rollback.
/// </summary>
public sealed class WatchedSuccessTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    private DeploymentStatusChanged Changed(string deploymentId, DeploymentStatus? previous, DeploymentStatus current, string purpose) =>
        new(Service, deploymentId, previous, current, new string('2', 40), purpose, Clock.GetUtcNow(), ["error TS2345: boom"]);

    [Fact]
    public async Task A_rollback_success_seen_first_by_a_routine_observe_still_resolves_the_incident_once()
    {
        var commands = new ConcurrentQueue<object>();
        var orchestrator = StartOrchestrator(railway: RecordingActor.Props(commands));
        orchestrator.Tell(new WorkerReport(WorkerNames.Railway, Changed("dep-broken", DeploymentStatus.Building, DeploymentStatus.Failed, WatchPurposes.Observed)));
        AwaitCondition(() => commands.OfType<RollbackService>().Any());

        orchestrator.Tell(new WorkerReport(WorkerNames.Railway, Changed("dep-rollback", null, DeploymentStatus.Success, WatchPurposes.Observed)));
        orchestrator.Tell(new WorkerReport(WorkerNames.Railway, Changed("dep-rollback", DeploymentStatus.Deploying, DeploymentStatus.Success, WatchPurposes.Rollback)));
        orchestrator.Tell(new WorkerReport(WorkerNames.Railway, Changed("dep-rollback", DeploymentStatus.Deploying, DeploymentStatus.Success, WatchPurposes.Rollback)));
        var status = await orchestrator.Ask<OrchestratorStatus>(new GetOrchestratorStatus(), TimeSpan.FromSeconds(10));

        Assert.Empty(status.Incidents);
        Assert.Single(AuditTrail().OfType<Oriented>(), o => o.Situation == "rollback-succeeded");
        Assert.Single(AuditTrail().OfType<IncidentUpdated>(), u => u.Change == "resolved");
    }
}
