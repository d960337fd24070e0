using System.Collections.Concurrent;
using Akka.Actor;
using Autopilot.Agents.Alerts;
using Autopilot.Agents.GitHub;
using Autopilot.Agents.Policy;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Railway;
using Autopilot.Platforms.GitHub;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Scenarios;

/// <summary>Scenario 8: the orchestrator dies between ActionRequested and the platform's answer.</summary>
/// <remarks>The later tests seed the journal with what an earlier life wrote just before it crashed.</remarks>
public sealed class RecoveryTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    [Fact]
    public async Task After_a_restart_an_unanswered_rollback_is_reconciled_with_Railway_and_not_sent_again()
    {
        var lastGood = RailwayFake.SeedDeployment(
            RailwayService.ServiceId, RailwayService.EnvironmentId, new string('1', 40), DeploymentStatus.Removed, Clock.GetUtcNow().AddHours(-2));
        RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('2', 40), DeploymentStatus.Success, Clock.GetUtcNow().AddHours(-1));

        // First life: the Railway worker is a recorder, so the rollback command is received but never answered.
        var commands = new ConcurrentQueue<object>();
        var first = StartOrchestrator(railway: RecordingActor.Props(commands));
        Assert.True((await first.Ask<ControlAck>(new SetDryRun(true), TimeSpan.FromSeconds(10))).Accepted);
        Assert.True((await first.Ask<ControlAck>(new SetDryRun(false), TimeSpan.FromSeconds(10))).Accepted);
        Assert.True((await first.Ask<ControlAck>(new PauseAutopilot("carol"), TimeSpan.FromSeconds(10))).Accepted);
        Assert.True((await first.Ask<ControlAck>(new ResumeAutopilot("carol"), TimeSpan.FromSeconds(10))).Accepted);
        var ack = await first.Ask<ControlAck>(new RequestRollback(Service, "alice"), TimeSpan.FromSeconds(10));
        Assert.True(ack.Accepted, ack.Message);
        AwaitCondition(() => commands.OfType<RollbackService>().Any());
        var command = commands.OfType<RollbackService>().Single();

        // The side effect reaches Railway (as the worker would have done it); then the orchestrator dies before the answer.
        Assert.True(await RailwayClient.RollbackAsync(lastGood));
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);
        Scheduler.Advance(TimeSpan.FromSeconds(5));

        // Second life, with the real worker: recovery asks Railway what happened instead of rolling back again.
        var second = StartOrchestrator();
        AdvanceUntilAudit<ActionCompleted>(c => c.ActionId == command.ActionId, "the reconciled rollback");

        Assert.Equal(1, RailwayCalls("deploymentRollback"));
        var completed = Assert.Single(AuditTrail().OfType<ActionCompleted>(), c => c.ActionId == command.ActionId);
        Assert.Contains("took effect", completed.Detail);
        Assert.Single(AuditTrail().OfType<ActionRequested>(), r => r.Action == "rollback");
        var status = await second.Ask<OrchestratorStatus>(new GetOrchestratorStatus(), TimeSpan.FromSeconds(10));
        Assert.Equal(0, status.PendingActions);
        // The world model came back from the journal: the rollback counts against the budget, the mode is as left.
        Assert.Equal(1, Assert.Single(status.Services).ActionsInLastHour);
        Assert.False(status.Paused);
        Assert.False(status.DryRun);
    }

    private ActionRequested Requested(string actionId, string worker, string action, params (string Key, string Value)[] parameters) =>
        new(actionId, worker, action, Service, parameters.Append((Key: "situation", Value: "build-failed")).ToDictionary(p => p.Key, p => p.Value), null, null, Clock.GetUtcNow());

    private ActionRequested WarningRequested(string actionId) => Requested(actionId, WorkerNames.Alerts, PolicyActions.AlertWarning,
        (ActionParameters.Severity, nameof(AlertSeverity.Warning)), (ActionParameters.Fingerprint, "api:build-failed"),
        (ActionParameters.Title, "api: build of 2222222 failed"), (ActionParameters.Body, "Situation: build-failed"));

    private async Task<OrchestratorStatus> RestartAsync(IActorRef orchestrator)
    {
        Watch(orchestrator);
        Sys.Stop(orchestrator);
        ExpectTerminated(orchestrator);
        var again = StartOrchestrator();
        return await again.Ask<OrchestratorStatus>(new GetOrchestratorStatus(), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task An_alert_recorded_as_requested_just_before_a_crash_is_sent_after_recovery_and_only_once()
    {
        var alert = WarningRequested("alert-warning-0a1b2c3d");
        SeedJournal(global::Autopilot.Agents.Orchestrator.Orchestrator.DefaultPersistenceId,
            new Decided(Service, "build-failed", [PolicyActions.AlertWarning], "policy rule", false, null, null, alert.At), alert);

        var orchestrator = StartOrchestrator();
        AdvanceUntil(() => AuditTrail().OfType<AlertSent>().Any() && AuditTrail().OfType<ActionCompleted>().Any(c => c.ActionId == alert.ActionId),
            "the alert's delivery and its request's answer recorded");
        var status = await RestartAsync(orchestrator);

        // Nothing is pending after the second recovery, so nothing is sent again.
        Assert.Equal(0, status.PendingActions);
        Assert.Contains("api: build of 2222222 failed", Assert.Single(AlertChatMessages).Text);
        Assert.Single(AuditTrail().OfType<ActionCompleted>(), c => c.ActionId == alert.ActionId);
    }

    [Fact]
    public async Task An_alert_the_outbox_accepted_before_the_crash_is_answered_on_recovery_without_a_second_message()
    {
        var alert = WarningRequested("alert-warning-5d6e7f80");
        SeedJournal(global::Autopilot.Agents.Orchestrator.Orchestrator.DefaultPersistenceId, alert);
        SeedJournal(AgentSettings().Alerts.PersistenceId,
            new AlertAccepted(alert.ActionId, AlertSeverity.Warning, "api: build of 2222222 failed", "Situation: build-failed", "api:build-failed", Service,
                [AlertChannelNames.Telegram], false, alert.At),
            new AlertChannelDelivered(alert.ActionId, AlertChannelNames.Telegram, 1, alert.At));

        StartOrchestrator();
        AdvanceUntilAudit<ActionCompleted>(c => c.ActionId == alert.ActionId, "the request answered from the outbox");

        Assert.Contains("already accepted", AuditTrail().OfType<ActionCompleted>().Single(c => c.ActionId == alert.ActionId).Detail);
        Assert.Empty(AlertChatMessages);
    }

    [Fact]
    public async Task An_issue_opened_just_before_the_crash_is_recognised_by_its_action_marker_and_neither_opened_again_nor_commented()
    {
        var issue = Requested("open-issue-9a8b7c6d", WorkerNames.GitHub, PolicyActions.OpenIssue,
            (ActionParameters.Fingerprint, "api:build-failed"), (ActionParameters.Title, "api: build of 2222222 failed"), (ActionParameters.Body, "Situation: build-failed"));
        SeedJournal(global::Autopilot.Agents.Orchestrator.Orchestrator.DefaultPersistenceId, issue);
        // The earlier life's GitHub call went through; only its answer was lost.
        await GitHubClient.OpenIssueOnceAsync(new GitHubRepository(Owner, RepoName),
            new NewIssue("api: build of 2222222 failed", $"Situation: build-failed\n\n{IncidentFingerprints.ActionMarker(issue.ActionId)}", ["autopilot"]),
            IncidentFingerprints.Label("api:build-failed"), IncidentFingerprints.Marker("api:build-failed"));

        StartOrchestrator();
        AdvanceUntilAudit<ActionCompleted>(c => c.ActionId == issue.ActionId, "the re-sent request answered");

        var only = Assert.Single(GitHubFake.Issues(Owner, RepoName));
        Assert.Empty(only.Comments);
        Assert.Contains("opened issue", AuditTrail().OfType<ActionCompleted>().Single(c => c.ActionId == issue.ActionId).Detail);
    }

    [Fact]
    public async Task An_issue_requested_just_before_the_crash_that_never_reached_GitHub_is_opened_after_recovery()
    {
        var issue = Requested("open-issue-1f2e3d4c", WorkerNames.GitHub, PolicyActions.OpenIssue,
            (ActionParameters.Fingerprint, "api:build-failed"), (ActionParameters.Title, "api: build of 2222222 failed"), (ActionParameters.Body, "Situation: build-failed"));
        SeedJournal(global::Autopilot.Agents.Orchestrator.Orchestrator.DefaultPersistenceId, issue);

        var orchestrator = StartOrchestrator();
        AdvanceUntilAudit<ActionCompleted>(c => c.ActionId == issue.ActionId, "the re-sent request answered");
        var status = await RestartAsync(orchestrator);

        Assert.Equal(0, status.PendingActions);
        var opened = Assert.Single(GitHubFake.Issues(Owner, RepoName));
        Assert.Equal("api: build of 2222222 failed", opened.Title);
        Assert.Empty(opened.Comments);
    }
}
