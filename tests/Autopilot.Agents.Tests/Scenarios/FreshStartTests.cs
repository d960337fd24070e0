using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Scenarios;

/// <summary>
/// Issue 18, item 6: a daemon starting on an empty journal finds the watched branch's head green. When Railway
/// already runs (or is deploying) that commit, the autopilot looks before acting: it records the commit as deployed
/// and deploys nothing.
/// </summary>
public sealed class FreshStartTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    [Theory]
    [InlineData(DeploymentStatus.Success)]
    [InlineData(DeploymentStatus.Building)]
    public void A_fresh_autopilot_does_not_deploy_the_green_head_that_Railway_already_runs_or_deploys(DeploymentStatus status)
    {
        var head = GitHubFake.PushCommit(Owner, RepoName, "main", "Add the search endpoint");
        GitHubFake.AddWorkflowRun(Owner, RepoName, 1, head, "completed", "success");
        var running = RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, head, status, Clock.GetUtcNow().AddMinutes(-10));

        // An empty journal: the first observe pass, at recovery, reads both platforms.
        StartOrchestrator();
        AdvanceUntil(() => AuditTrail() is var trail
                           && trail.OfType<Decided>().Any(d => d.Situation == "checks-passed" && d.Commit == head)
                           && !trail.OfType<ActionRequested>().Any(r => !trail.Any(e => e is ActionCompleted c && c.ActionId == r.ActionId || e is ActionFailed f && f.ActionId == r.ActionId)),
            "the decision on the green head, and the answer of whatever it requested");

        var trail = AuditTrail();
        foreach (var e in trail)
        {
            output.WriteLine(e.ToString());
        }

        Assert.Equal(0, RailwayCalls("serviceInstanceDeployV2"));
        Assert.Single(RailwayFake.Deployments, d => d.CommitHash == head);
        // Recorded as such: a decision (or, when GitHub was read before Railway, the deploy's look at Railway) says why.
        Assert.Contains(trail, e => e is Decided { Situation: "checks-passed" } d && d.Commit == head && d.Actions.Count == 0 && d.Reason.Contains(running)
                                    || e is ActionCompleted { Worker: "railway" } c && c.Detail.Contains("already") && c.Detail.Contains(running));
    }
}
