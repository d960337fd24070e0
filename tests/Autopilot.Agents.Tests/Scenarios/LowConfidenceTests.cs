using Akka.Actor;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Railway;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Scenarios;

/// <summary>
/// Below the review threshold a decision is recorded and not acted on, and — the situation being severe — a human is
/// alerted. The weights come from HOCON: here an unexplained crash earns nothing above the base (50).
/// </summary>
public sealed class LowConfidenceTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    /// <inheritdoc />
    protected override string ExtraConfig => "autopilot.agents.confidence.weights.generic-crash = 0";

    [Fact]
    public void A_low_confidence_decision_is_recorded_only_and_a_severe_situation_alerted()
    {
        var orchestrator = StartOrchestrator();

        orchestrator.Tell(new WorkerReport(WorkerNames.Railway, new DeploymentStatusChanged(
            Service, "dep-crashed", DeploymentStatus.Success, DeploymentStatus.Crashed, null, WatchPurposes.Observed, Clock.GetUtcNow(), ["exited"])));
        AdvanceUntil(() => AlertChatMessages.Any(m => m.Text.Contains("not acted on")), "the CRITICAL alert");

        var decided = Assert.Single(AuditTrail().OfType<Decided>(), d => d.Situation == "crashed-transient");
        Assert.Equal(50, decided.Confidence);
        Assert.Empty(decided.Actions);
        Assert.Contains("below review", decided.Reason);
        Assert.Empty(AuditTrail().OfType<ApprovalRequested>());
        Assert.DoesNotContain(AuditTrail(), e => e is ActionRequested { Action: "restart" });
        Assert.Equal(0, RailwayCalls("deploymentRestart"));
        Assert.Equal(AlertSeverity.Critical, Assert.Single(Alerts).Severity);
    }
}
