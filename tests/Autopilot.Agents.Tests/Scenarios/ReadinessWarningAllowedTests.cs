using Autopilot.Agents.Protocol;
using Autopilot.Agents.Readiness;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Scenarios;

/// <summary>Where policy allows WARNING deploys (here for the service only), a WARNING is deployed with a WARNING alert.</summary>
public sealed class ReadinessWarningAllowedTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    /// <inheritdoc />
    protected override string ExtraConfig => """
        autopilot.agents.readiness {
          benchmark-workflow = "Benchmarks"
          allow-warning-deploys = false
          services.api.allow-warning-deploys = true
        }
        """;

    [Fact]
    public void Only_the_benchmark_failing_is_deployed_with_a_WARNING_alert_where_the_service_allows_it()
    {
        RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('a', 40), DeploymentStatus.Success, Clock.GetUtcNow().AddHours(-1));
        var orchestrator = StartOrchestrator();

        var sha = PushGreenCommit(orchestrator, "Slower but simpler", [],
            before: s => GitHubFake.AddCheckRun(Owner, RepoName, s, "Benchmarks", "completed", "failure"));
        AdvanceUntil(() => AuditTrail().OfType<ActionCompleted>().Any(c => c.Worker == "railway") && AlertChatMessages.Any(m => m.Text.Contains("readiness WARNING")),
            "the deploy and its WARNING alert");

        Assert.Equal(ReadinessDecisions.Warning, Assert.Single(AuditTrail().OfType<ReadinessAssessed>()).Decision);
        Assert.Single(RailwayFake.Deployments, d => d.CommitHash == sha);
        Assert.Empty(AuditTrail().OfType<ApprovalRequested>());
        Assert.Equal(AlertSeverity.Warning, Alerts.Single(a => a.Title.Contains("readiness WARNING")).Severity);
    }
}
