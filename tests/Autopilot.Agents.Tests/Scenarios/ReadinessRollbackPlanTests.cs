using Autopilot.Agents.Protocol;
using Autopilot.Agents.Readiness;
using Autopilot.Agents.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Scenarios;

/// <summary>A service with no deployment to go back to and a repository without a release tag has no rollback plan: NO-GO.</summary>
public sealed class ReadinessRollbackPlanTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    /// <inheritdoc />
    protected override bool SeedReleaseTag => false;

    [Fact]
    public void No_last_good_deployment_and_no_release_tag_is_NO_GO()
    {
        var orchestrator = StartOrchestrator();

        var sha = PushGreenCommit(orchestrator, "First deploy ever");
        AdvanceUntil(() => GitHubFake.CommitComments(Owner, RepoName).Count == 1, "the NO-GO comment");

        var assessed = Assert.Single(AuditTrail().OfType<ReadinessAssessed>());
        Assert.Equal((ReadinessDecisions.NoGo, sha), (assessed.Decision, assessed.Commit));
        Assert.Equal(["rollback plan"], assessed.FailedChecks);
        Assert.Equal(0, RailwayCalls("serviceInstanceDeployV2"));
        Assert.Contains("rollback plan", GitHubFake.CommitComments(Owner, RepoName).Single().Body);
    }
}
