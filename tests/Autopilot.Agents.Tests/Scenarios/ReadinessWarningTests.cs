using Autopilot.Agents.Protocol;
using Autopilot.Agents.Readiness;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Scenarios;

/// <summary>
/// The gate with named test runs and a benchmark workflow: failing tests are NO-GO; only the benchmark failing is a
/// WARNING, which (WARNING deploys not allowed) asks a human instead of deploying.
/// </summary>
public sealed class ReadinessWarningTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    /// <inheritdoc />
    protected override string ExtraConfig => """
        autopilot.agents.readiness {
          tests-workflows = ["CI", "unit-tests"]
          benchmark-workflow = "Benchmarks"
        }
        """;

    private void Benchmark(string sha, string conclusion) => GitHubFake.AddCheckRun(Owner, RepoName, sha, "Benchmarks", "completed", conclusion);

    [Fact]
    public void Failing_tests_reported_as_a_check_run_are_NO_GO_not_deployed_commented_and_alerted()
    {
        RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('a', 40), DeploymentStatus.Success, Clock.GetUtcNow().AddHours(-1));
        var orchestrator = StartOrchestrator();

        // The workflow runs are green (so the commit's checks pass), but the external test run failed.
        var sha = PushGreenCommit(orchestrator, "Refactor the parser", [], before: s =>
        {
            GitHubFake.AddCheckRun(Owner, RepoName, s, "unit-tests", "completed", "failure", "circleci-checks");
            Benchmark(s, "success");
        });
        AdvanceUntil(() => GitHubFake.CommitComments(Owner, RepoName).Count == 1 && Alerts.Any(a => a.Title.Contains("NO-GO")), "the NO-GO comment and alert");

        var assessed = Assert.Single(AuditTrail().OfType<ReadinessAssessed>());
        Assert.Equal((ReadinessDecisions.NoGo, sha), (assessed.Decision, assessed.Commit));
        Assert.Equal(["tests"], assessed.FailedChecks);
        Assert.Equal("failure", assessed.Checks.Single(c => c.Name == "tests").Evidence["check unit-tests"]);
        Assert.Equal(0, RailwayCalls("serviceInstanceDeployV2"));
        Assert.Contains("FAILED tests", GitHubFake.CommitComments(Owner, RepoName).Single().Body);
        Assert.Equal(AlertSeverity.Warning, Alerts.Single(a => a.Title.Contains("NO-GO")).Severity);
    }

    [Fact]
    public void Only_the_benchmark_failing_is_a_WARNING_and_without_permission_a_human_is_asked_and_nothing_deployed()
    {
        RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('a', 40), DeploymentStatus.Success, Clock.GetUtcNow().AddHours(-1));
        var orchestrator = StartOrchestrator();

        var sha = PushGreenCommit(orchestrator, "Slower but simpler", [], before: s =>
        {
            GitHubFake.AddCheckRun(Owner, RepoName, s, "unit-tests", "completed", "success");
            Benchmark(s, "failure");
        });
        AdvanceUntil(() => AuditTrail().OfType<ApprovalRequested>().Any() && AlertChatMessages.Any(m => m.Text.Contains("Approval needed") && m.Keyboard is not null),
            "the approval request and its Telegram message with buttons");

        var assessed = Assert.Single(AuditTrail().OfType<ReadinessAssessed>());
        Assert.Equal(ReadinessDecisions.Warning, assessed.Decision);
        Assert.Equal(["performance"], assessed.FailedChecks);
        var approval = Assert.Single(AuditTrail().OfType<ApprovalRequested>());
        Assert.Equal(("deploy", sha, Service), (approval.Action, approval.Commit, approval.Service));
        Assert.Contains("WARNING deploys are not allowed", approval.Reason);
        Assert.StartsWith("FAILED", approval.Evidence["check performance"]);
        Assert.Equal(assessed.Confidence, approval.Confidence);
        Assert.Equal(0, RailwayCalls("serviceInstanceDeployV2"));
        Assert.DoesNotContain(AuditTrail().OfType<ActionRequested>(), r => r.Action == "deploy");
        Assert.Empty(GitHubFake.CommitComments(Owner, RepoName));
        Assert.Contains(AlertChatMessages, m => m.Keyboard is not null && m.Text.Contains("deploy of", StringComparison.Ordinal));
    }
}
