using System.Collections.Concurrent;
using Akka.Actor;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Readiness;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Autopilot.Simulator.GitHub;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Scenarios;

/// <summary>The production-readiness gate before an autonomous deploy, with the shipped settings (README required, no benchmark).</summary>
public sealed class ReadinessGateTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    private void SeedLastGood() =>
        RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('a', 40), DeploymentStatus.Success, Clock.GetUtcNow().AddHours(-1));

    [Fact]
    public void A_green_commit_that_passes_every_check_is_GO_and_deployed_after_the_assessment_is_recorded()
    {
        SeedLastGood();
        var orchestrator = StartOrchestrator();

        var sha = PushGreenCommit(orchestrator, "Add the search endpoint");
        AdvanceUntilAudit<ActionCompleted>(c => c.Worker == "railway", "the deploy");

        var assessed = Assert.Single(AuditTrail().OfType<ReadinessAssessed>());
        Assert.Equal((Service, sha, ReadinessDecisions.Go), (assessed.Service, assessed.Commit, assessed.Decision));
        Assert.Equal(ReadinessCheckNames.All, assessed.Checks.Select(c => c.Name));
        Assert.All(assessed.Checks, c => Assert.True(c.Passed, $"{c.Name}: {c.Details}"));
        Assert.Equal("present", assessed.Checks.Single(c => c.Name == "documentation").Evidence["README.md"]);
        Assert.Equal(95, assessed.Confidence);
        Assert.Single(RailwayFake.Deployments, d => d.CommitHash == sha);
        Assert.Empty(GitHubFake.CommitComments(Owner, RepoName));
        AssertInOrder(AuditTrail(),
            ("decided on the green checks, confidence beside it", e => e is Decided { Situation: "checks-passed", Confidence: 85 } d && d.Actions.SequenceEqual(["deploy"])),
            ("the gate's reads requested", e => e is ActionRequested { Action: "assess-readiness", Worker: "readiness" } r && r.Commit == sha),
            ("assessed GO", e => e is ReadinessAssessed { Decision: "GO" }),
            ("decided to deploy on GO", e => e is Decided { Confidence: 95 } d && d.Actions.SequenceEqual(["deploy"]) && d.Reason.StartsWith("readiness GO")),
            ("deploy requested", e => e is ActionRequested { Action: "deploy" } r && r.Commit == sha));
    }

    [Fact]
    public void An_assessment_cut_off_by_a_restart_is_asked_again_and_the_commit_deployed_once()
    {
        SeedLastGood();
        var swallowed = new ConcurrentQueue<object>();
        var first = StartOrchestrator(readiness: RecordingActor.Props(swallowed));
        var sha = PushGreenCommit(first, "Add the search endpoint");
        AdvanceUntil(() => swallowed.OfType<AssessCommit>().Any(), "the gate to be asked");
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);

        // The decision and the gate's request are on record, the answer is not: the next incarnation asks the gate again.
        StartOrchestrator();
        AdvanceUntilAudit<ActionCompleted>(c => c.Worker == "railway", "the deploy after the restart");

        var assess = Assert.Single(AuditTrail().OfType<ActionRequested>(), r => r.Action == "assess-readiness");
        Assert.Equal(sha, assess.Commit);
        Assert.Single(AuditTrail().OfType<ReadinessAssessed>());
        Assert.Single(AuditTrail().OfType<ActionRequested>(), r => r.Action == "deploy" && r.Commit == sha);
        Assert.Equal(1, RailwayCalls("serviceInstanceDeployV2"));
    }

    [Fact]
    public void A_secret_added_in_the_commit_is_NO_GO_not_deployed_alerted_and_commented_on_the_commit()
    {
        SeedLastGood();
        var orchestrator = StartOrchestrator();
        const string leaked = "ghp_0123456789abcdefABCDEF0123456789abcd";

        var sha = PushGreenCommit(orchestrator, "Configure the client",
            [new GitHubFakeFileChange("src/client.ts", $"@@ -1,1 +1,2 @@\n const base = url;\n+const token = \"{leaked}\";")]);
        AdvanceUntil(() => GitHubFake.CommitComments(Owner, RepoName).Count == 1 && AlertChatMessages.Any(m => m.Text.Contains("NO-GO")),
            "the NO-GO comment and WARNING alert");

        var assessed = Assert.Single(AuditTrail().OfType<ReadinessAssessed>());
        Assert.Equal(ReadinessDecisions.NoGo, assessed.Decision);
        Assert.Equal(["security"], assessed.FailedChecks);
        Assert.Equal("named-secret", assessed.Checks.Single(c => c.Name == "security").Evidence["diff src/client.ts"]);
        Assert.Empty(RailwayFake.Deployments.Where(d => d.CommitHash == sha));
        Assert.Equal(0, RailwayCalls("serviceInstanceDeployV2"));
        Assert.DoesNotContain(AuditTrail().OfType<ActionRequested>(), r => r.Action == "deploy");
        var comment = Assert.Single(GitHubFake.CommitComments(Owner, RepoName));
        Assert.Equal(sha, comment.Sha);
        Assert.Contains("FAILED security", comment.Body);
        Assert.DoesNotContain(leaked, comment.Body);
        var alert = Assert.Single(Alerts, a => a.Title.Contains("NO-GO"));
        Assert.Equal(AlertSeverity.Warning, alert.Severity);
        Assert.DoesNotContain(AuditTrail(), e => e.ToString()!.Contains(leaked));
        AssertInOrder(AuditTrail(),
            ("assessed NO-GO", e => e is ReadinessAssessed { Decision: "NO-GO" }),
            ("decided not to deploy", e => e is Decided d && d.Actions.SequenceEqual(["alert-warning", "comment-commit"]) && d.Reason.Contains("not deployed")),
            ("comment requested", e => e is ActionRequested { Action: "comment-commit", Worker: "github" }),
            ("comment written", e => e is ActionCompleted c && c.Detail.Contains("commented on commit")));
    }

    [Fact]
    public async Task An_operator_can_run_the_gate_on_a_commit_and_gets_the_assessment_without_a_deploy()
    {
        SeedLastGood();
        var orchestrator = StartOrchestrator();
        // On a branch the autopilot does not watch: only the operator's question brings it to the gate.
        var sha = GitHubFake.PushCommit(Owner, RepoName, "feature", "Try something");
        GitHubFake.AddWorkflowRun(Owner, RepoName, 1, sha, "completed", "failure");

        var answer = await orchestrator.Ask<object>(new AssessReadiness(Service, sha), TimeSpan.FromSeconds(10));
        var unknown = await orchestrator.Ask<ControlAck>(new AssessReadiness("nope", sha), TimeSpan.FromSeconds(10));

        var assessed = Assert.IsType<ReadinessAssessed>(answer);
        Assert.Equal((sha, ReadinessDecisions.NoGo), (assessed.Commit, assessed.Decision));
        Assert.Equal(["tests"], assessed.FailedChecks);
        Assert.Equal(assessed, Assert.Single(AuditTrail().OfType<ReadinessAssessed>()));
        Assert.False(unknown.Accepted);
        Assert.Equal(0, RailwayCalls("serviceInstanceDeployV2"));
        Assert.Empty(GitHubFake.CommitComments(Owner, RepoName));
        Assert.Empty(Alerts);
        Assert.DoesNotContain(AuditTrail(), e => e is Decided d && d.Commit == sha);
    }

    [Fact]
    public async Task Pause_wins_over_the_gate_a_green_commit_is_not_even_assessed()
    {
        SeedLastGood();
        var orchestrator = StartOrchestrator();
        await orchestrator.Ask<ControlAck>(new PauseAutopilot("test"), TimeSpan.FromSeconds(10));

        var sha = PushGreenCommit(orchestrator, "While paused");
        AdvanceUntilAudit<Decided>(d => d.Commit == sha, "the decision");

        Assert.Contains("paused", AuditTrail().OfType<Decided>().Single(d => d.Commit == sha).Reason);
        Assert.DoesNotContain(AuditTrail(), e => e is ActionRequested { Action: "assess-readiness" or "deploy" });
        Assert.Equal(0, RailwayCalls("serviceInstanceDeployV2"));
    }
}
