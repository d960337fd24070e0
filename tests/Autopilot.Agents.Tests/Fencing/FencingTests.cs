using Akka.Actor;
using Autopilot.Agents.Alerts;
using Autopilot.Agents.Fencing;
using Autopilot.Agents.GitHub;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Railway;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.GitHub;
using Autopilot.Platforms.Railway;
using Autopilot.Simulator.Railway.GraphQL;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Fencing;

/// <summary>
/// An old leader can never make a platform call: the orchestrator records the lease's token with each request and
/// records nothing when it no longer holds the lease, and the workers check the fence right before each change.
/// </summary>
public sealed class FencingTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>A last good deployment Railway can roll back to and the current one; returns the current one's id.</summary>
    private string SeedRollbackTarget()
    {
        RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('1', 40), DeploymentStatus.Removed, Clock.GetUtcNow().AddHours(-2));
        return RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('2', 40), DeploymentStatus.Success, Clock.GetUtcNow().AddHours(-1));
    }

    private int RailwayMutations() => RailwayFake.Calls.Count(c => c.OperationType == GraphQLOperationType.Mutation);

    /// <summary>Starts an orchestrator and waits until its first observe pass has seen <paramref name="current"/>.</summary>
    private IActorRef StartAndObserve(string current, IActionFence? fence)
    {
        var orchestrator = StartOrchestrator(fence: fence);
        AdvanceUntilAudit<Observed>(o => o.DeploymentId == current, "the current deployment observed");
        return orchestrator;
    }

    [Fact]
    public async Task With_the_fence_held_a_rollback_reaches_Railway_and_its_request_carries_the_token()
    {
        var current = SeedRollbackTarget();
        var fence = new SwitchableFence(42, "node-a");
        var orchestrator = StartAndObserve(current, fence);

        var ack = await orchestrator.Ask<ControlAck>(new RequestRollback(Service, "alice"), Wait);
        Assert.True(ack.Accepted, ack.Message);
        AdvanceUntilAudit<ActionCompleted>(c => c.Worker == WorkerNames.Railway, "the rollback done");

        Assert.Equal(1, RailwayCalls("deploymentRollback"));
        var requested = Assert.Single(AuditTrail().OfType<ActionRequested>(), r => r.Action == "rollback");
        Assert.Equal(42, requested.FencingToken);
        Assert.Equal(current, requested.DeploymentId);
        AssertInOrder(AuditTrail(),
            ("the leader on record first", e => e is SingletonStarted { Node: "node-a", Token: 42 }),
            ("the rollback requested under its token", e => e is ActionRequested { Action: "rollback", FencingToken: 42 }));
    }

    [Fact]
    public void A_rollback_whose_fence_is_lost_before_the_call_makes_no_call_and_fails_with_the_reason()
    {
        var current = SeedRollbackTarget();
        var fence = new SwitchableFence(42, "node-a");
        var railway = Sys.ActorOf(RailwayWorker.Props(RailwayClient, AgentSettings().Railway, fence: fence), "railway");

        // Recorded under token 42 by the orchestrator, then the lease went to another node before the worker got to it.
        fence.Held = false;
        railway.Tell(new RollbackService("rollback-1", Service, current), TestActor);

        var refused = ExpectMsg<WorkerResult>(Wait);
        Assert.Equal("rollback-1", refused.ActionId);
        Assert.False(refused.Success);
        Assert.NotNull(refused.Error);
        Assert.StartsWith(ActionFence.NotHeldError, refused.Error, StringComparison.Ordinal);
        Assert.Contains("rollback", refused.Error, StringComparison.Ordinal);
        Assert.Contains(SwitchableFence.LostReason, refused.Error, StringComparison.Ordinal);
        Assert.Equal(0, RailwayCalls("deploymentRollback"));
        Assert.Equal(0, RailwayMutations());

        // The same command while the fence is held does reach Railway: the refusal above was the fence's doing.
        fence.Held = true;
        railway.Tell(new RollbackService("rollback-2", Service, current), TestActor);
        var done = ExpectMsg<WorkerResult>(Wait);
        Assert.True(done.Success, done.Error);
        Assert.Equal(1, RailwayCalls("deploymentRollback"));
    }

    [Fact]
    public void An_incident_issue_whose_fence_is_lost_is_not_opened_and_fails_with_the_reason()
    {
        var fence = new SwitchableFence(42, "node-a") { Held = false };
        var github = Sys.ActorOf(GitHubWorker.Props(GitHubClient, null, AgentSettings().GitHub, fence), "github");
        var repository = new GitHubRepository(Owner, RepoName);

        github.Tell(new OpenIncidentIssue("issue-1", repository, "api:build-failed", "api: build failed", "error TS2345"), TestActor);
        var refused = ExpectMsg<WorkerResult>(Wait);
        Assert.False(refused.Success);
        Assert.StartsWith(ActionFence.NotHeldError, refused.Error, StringComparison.Ordinal);
        Assert.Empty(GitHubFake.Issues(Owner, RepoName));

        fence.Held = true;
        github.Tell(new OpenIncidentIssue("issue-2", repository, "api:build-failed", "api: build failed", "error TS2345"), TestActor);
        var opened = ExpectMsg<WorkerResult>(Wait);
        Assert.True(opened.Success, opened.Error);
        Assert.Single(GitHubFake.Issues(Owner, RepoName));
    }

    [Fact]
    public void The_alerts_worker_sends_nothing_while_the_fence_is_lost_and_the_next_leader_delivers_from_the_outbox()
    {
        var settings = AgentSettings();
        var fence = new SwitchableFence(42, "node-a") { Held = false };
        var alerts = Sys.ActorOf(AlertWorker.Props(settings.Alerts, AlertChannels(settings), fence));

        // CRITICAL: Telegram and a GitHub issue. Accepted into the outbox, then each send is refused by the fence.
        EventFilter.Warning(contains: ActionFence.NotHeldError).Expect(2, Wait, () =>
            alerts.Tell(new RaiseAlert(AlertSeverity.Critical, "api down", "502 from /health", "api:down", Service, "alert-1"), TestActor));
        ExpectMsg<WorkerResult>(r => r.ActionId == "alert-1" && r.Success, Wait);
        Settle(alerts);

        Assert.Empty(AlertChatMessages);
        Assert.Empty(GitHubFake.Issues(Owner, RepoName));
        Assert.Empty(TelegramFake.Exchanges);
        Assert.DoesNotContain(Journal(settings.Alerts.PersistenceId), e => e is AlertDeliveryAbandoned or AlertSent);

        // The node holding the lease recovers the outbox and delivers what was owed, once per channel.
        Watch(alerts);
        Sys.Stop(alerts);
        ExpectTerminated(alerts, Wait);
        Sys.ActorOf(AlertWorker.Props(settings.Alerts, AlertChannels(settings), new SwitchableFence(43, "node-b")));
        AwaitCondition(() => AlertChatMessages.Count == 1 && GitHubFake.Issues(Owner, RepoName).Count == 1, Wait, message: "the owed alert delivered by the next leader");
    }

    [Fact]
    public void An_orchestrator_without_the_lease_records_no_action_and_the_next_leader_decides_again()
    {
        RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('a', 40), DeploymentStatus.Success, Clock.GetUtcNow().AddHours(-1));
        var old = new SwitchableFence(42, "node-a") { Held = false };
        var first = StartOrchestrator(fence: old);
        Watch(first);

        // A green commit would be deployed; this node lost its lease, so the whole step is dropped and the orchestrator stops.
        string sha = null!;
        EventFilter.Warning(contains: "recorded none of the").ExpectOne(Wait, () => sha = PushGreenCommit(first, "Add the search endpoint"));
        ExpectTerminated(first, Wait);

        var trail = AuditTrail();
        Assert.Empty(trail.OfType<ActionRequested>());
        Assert.DoesNotContain(trail, e => e is Decided { Situation: "checks-passed" } or Observed { Kind: "checks-completed" });
        Assert.Empty(trail.OfType<SingletonStarted>());
        Assert.Equal(0, RailwayMutations());

        // The node that took over reads the journal, sees the commit unjudged, and deploys it under its own token.
        var next = new SwitchableFence(43, "node-b");
        StartOrchestrator(fence: next);
        AdvanceUntilAudit<ActionCompleted>(c => c.Worker == WorkerNames.Railway, "the deploy by the next leader");

        var deploy = Assert.Single(AuditTrail().OfType<ActionRequested>(), r => r.Action == "deploy");
        Assert.Equal(sha, deploy.Commit);
        Assert.Equal(43, deploy.FencingToken);
        Assert.Equal(1, RailwayCalls("serviceInstanceDeployV2"));
        Assert.Single(AuditTrail().OfType<SingletonStarted>(), s => s is { Node: "node-b", Token: 43 });
    }

    [Fact]
    public async Task A_fenced_orchestrator_records_its_start_once_per_node_and_token_and_an_unfenced_one_never()
    {
        // Whatever an orchestrator records when it starts is written before it handles its first command.
        var unfenced = await Restart(null, null);
        Assert.Empty(AuditTrail().OfType<SingletonStarted>());

        var fence = new SwitchableFence(7, "akka.tcp://autopilot@10.0.0.5:4053");
        var fenced = await Restart(unfenced, fence);
        var started = Assert.Single(AuditTrail().OfType<SingletonStarted>());
        Assert.Equal(("akka.tcp://autopilot@10.0.0.5:4053", 7L), (started.Node, started.Token));

        // The same tenure restarted (e.g. after a journal failure) is no new leader; a new token is.
        fenced = await Restart(fenced, fence);
        Assert.Single(AuditTrail().OfType<SingletonStarted>());
        await Restart(fenced, new SwitchableFence(8, "akka.tcp://autopilot@10.0.0.6:4053"));
        Assert.Equal([7L, 8L], AuditTrail().OfType<SingletonStarted>().Select(s => s.Token));
    }

    /// <summary>
    /// Stops <paramref name="running"/> (if any) and starts an orchestrator with <paramref name="fence"/>; returns once it
    /// has answered a command, i.e. after whatever it records when it starts.
    /// </summary>
    private async Task<IActorRef> Restart(IActorRef? running, IActionFence? fence)
    {
        if (running is not null)
        {
            Watch(running);
            Sys.Stop(running);
            ExpectTerminated(running, Wait);
        }

        var started = StartOrchestrator(fence: fence);
        await started.Ask<OrchestratorStatus>(new GetOrchestratorStatus(), Wait);
        return started;
    }

    [Fact]
    public void An_action_request_written_before_fencing_reads_back_without_a_token_and_a_new_one_keeps_it()
    {
        var catalog = Autopilot.Agents.Serialization.EventCatalog.ForAgents();
        var old = """
            {"actionId":"a-1","worker":"railway","action":"rollback","service":"api","parameters":{"situation":"build-failed"},
             "deploymentId":"d2","commit":"c2","at":"2026-12-01T12:00:00+00:00"}
            """u8.ToArray();

        var read = Assert.IsType<ActionRequested>(catalog.FromJson(old, "autopilot.action_requested#1"));
        Assert.Null(read.FencingToken);
        Assert.Equal(("a-1", "rollback", "d2"), (read.ActionId, read.Action, read.DeploymentId));

        var fenced = read with { FencingToken = 42 };
        Assert.Equal("autopilot.action_requested#1", catalog.ManifestOf(fenced));
        var back = Assert.IsType<ActionRequested>(catalog.FromJson(catalog.ToJson(fenced), catalog.ManifestOf(fenced)));
        Assert.Equal(42, back.FencingToken);
    }
}
