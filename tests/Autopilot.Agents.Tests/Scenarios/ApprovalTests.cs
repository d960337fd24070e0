using Akka.Actor;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Autopilot.Simulator.Railway;
using Autopilot.Simulator.Telegram;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Scenarios;

/// <summary>
/// Issue 14 (3): a failed build whose rollback the policy marks <c>approve:</c> is put to a human in Telegram (message
/// with Approve / Reject buttons) and rolled back only when an allowed user approves; strangers, expiry, a second
/// press, the admin API's decision, pause and a restart in between.
/// </summary>
public sealed class ApprovalTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    private const long Alice = 4242;
    private const long Mallory = 6666;
    private const string CompilerError = "src/search.ts(42,7): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'.";
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);
    private long _offset;

    /// <inheritdoc />
    protected override string ExtraConfig => "autopilot.agents.policy.build-failed = [\"approve:rollback\", alert-critical]";

    /// <inheritdoc />
    protected override IReadOnlySet<long> TelegramApprovers => new HashSet<long> { Alice };

    [Fact]
    public async Task An_allowed_user_approves_in_Telegram_and_the_rollback_runs_exactly_once_even_when_pressed_twice()
    {
        var (orchestrator, approval, message) = FailTheBuild();
        Assert.Equal(0, RailwayCalls("deploymentRollback"));
        Assert.Contains("rollback", message.Text);
        Assert.Contains("TS2345", message.Text);
        Assert.Equal([$"approve:{approval.ApprovalId}", $"reject:{approval.ApprovalId}"], message.Keyboard!.SelectMany(r => r).Select(b => b.CallbackData));

        // Pressed twice before the first press was handled (a double tap, or the message not edited yet).
        var presses = await PressAll(orchestrator, message, ($"approve:{approval.ApprovalId}", Alice, "alice"), ($"approve:{approval.ApprovalId}", Alice, "alice"));
        var (first, second) = (presses[0], presses[1]);
        AdvanceUntil(() => RailwayCalls("deploymentRollback") == 1 && TelegramFake.WasAnswered(first.CallbackQueryId) && TelegramFake.WasAnswered(second.CallbackQueryId)
                           && AlertChatMessages.Single(m => m.MessageId == message.MessageId).Keyboard is null, "the approved rollback, the answers and the edit");

        Assert.Equal(1, RailwayCalls("deploymentRollback"));
        Assert.Contains("already approved by @alice", TelegramFake.CallbackAnswer(second.CallbackQueryId));
        Assert.Contains("Approved by @alice", AlertChatMessages.Single(m => m.MessageId == message.MessageId).Text);
        var decided = Assert.Single(AuditTrail().OfType<ApprovalDecided>());
        Assert.True(decided.Approved);
        Assert.Equal("telegram", decided.Channel);
        Assert.Contains("alice", decided.By);
        AssertInOrder(AuditTrail(),
            ("approval requested", e => e is ApprovalRequested { Action: "rollback" }),
            ("decided by alice", e => e is ApprovalDecided),
            ("rollback requested", e => e is ActionRequested { Action: "rollback" }));
        Assert.Single(AuditTrail().OfType<ActionRequested>(), r => r.Action == "rollback");
    }

    [Fact]
    public async Task A_stranger_cannot_decide_and_is_recorded_as_a_security_event()
    {
        var (orchestrator, approval, message) = FailTheBuild();

        var press = await Press(orchestrator, message, $"approve:{approval.ApprovalId}", Mallory, "mallory");
        AdvanceUntil(() => TelegramFake.WasAnswered(press.CallbackQueryId), "the answer to the stranger");

        Assert.Contains("not allowed", TelegramFake.CallbackAnswer(press.CallbackQueryId));
        var security = Assert.Single(AuditTrail().OfType<SecurityEventRecorded>());
        Assert.Equal("approval-not-allowed", security.Kind);
        Assert.Contains("mallory", security.Detail);
        Assert.Empty(AuditTrail().OfType<ApprovalDecided>());
        Assert.Equal(0, RailwayCalls("deploymentRollback"));
        Assert.Single((await orchestrator.Ask<PendingApprovals>(new GetPendingApprovals(), AskTimeout)).Approvals);
    }

    [Fact]
    public async Task Without_a_press_the_approval_expires_after_15_minutes_with_an_alert_and_nothing_done()
    {
        var (orchestrator, approval, message) = FailTheBuild();

        Scheduler.Advance(TimeSpan.FromMinutes(14));
        Settle(orchestrator);
        Assert.Empty(AuditTrail().OfType<ApprovalExpired>());
        AdvanceUntilAudit<ApprovalExpired>(e => e.ApprovalId == approval.ApprovalId, "the expiry");
        AdvanceUntil(() => AlertChatMessages.Any(m => m.Text.Contains("expired")) && AlertChatMessages.Single(m => m.MessageId == message.MessageId).Keyboard is null,
            "the expiry alert and the edited message");

        Assert.Contains(Alerts, a => a is { Severity: AlertSeverity.Warning } && a.Title.Contains("approval of rollback expired"));
        Assert.Empty((await orchestrator.Ask<PendingApprovals>(new GetPendingApprovals(), AskTimeout)).Approvals);
        var late = await orchestrator.Ask<ControlAck>(new DecideApproval(approval.ApprovalId, true, "bob", ApprovalChannels.Cli), AskTimeout);
        Assert.False(late.Accepted);
        Assert.Contains("expired", late.Message);
        Assert.Equal(0, RailwayCalls("deploymentRollback"));
        Assert.DoesNotContain(AuditTrail(), e => e is ActionRequested { Action: "rollback" });
    }

    [Fact]
    public async Task The_admin_API_decides_once_and_a_second_decision_changes_nothing()
    {
        var (orchestrator, approval, _) = FailTheBuild();

        var pending = await orchestrator.Ask<PendingApprovals>(new GetPendingApprovals(), AskTimeout);
        Assert.Equal(approval.ApprovalId, Assert.Single(pending.Approvals).ApprovalId);
        Assert.Equal(TimeSpan.FromMinutes(15), pending.ExpiresAfter);
        var approved = await orchestrator.Ask<ControlAck>(new DecideApproval(approval.ApprovalId, true, "ops-token", ApprovalChannels.Cli), AskTimeout);
        var again = await orchestrator.Ask<ControlAck>(new DecideApproval(approval.ApprovalId, false, "ops-token", ApprovalChannels.Cli), AskTimeout);
        AdvanceUntil(() => RailwayCalls("deploymentRollback") == 1, "the approved rollback");

        Assert.True(approved.Accepted, approved.Message);
        Assert.False(again.Accepted);
        Assert.Contains("already approved by ops-token (cli)", again.Message);
        Assert.Single(AuditTrail().OfType<ApprovalDecided>());
        Assert.Equal(1, RailwayCalls("deploymentRollback"));
        AdvanceUntil(() => AlertChatMessages.Any(m => m.Text.Contains("Approved by ops-token")), "the approval message edited");
        Scheduler.Advance(TimeSpan.FromMinutes(20));
        Settle(orchestrator);
        Assert.Empty(AuditTrail().OfType<ApprovalExpired>());
    }

    [Fact]
    public async Task A_rejection_does_nothing()
    {
        var (orchestrator, approval, message) = FailTheBuild();

        var press = await Press(orchestrator, message, $"reject:{approval.ApprovalId}", Alice, "alice");
        AdvanceUntil(() => TelegramFake.WasAnswered(press.CallbackQueryId), "the answer");

        Assert.False(Assert.Single(AuditTrail().OfType<ApprovalDecided>()).Approved);
        Assert.Equal(0, RailwayCalls("deploymentRollback"));
        Assert.Empty((await orchestrator.Ask<PendingApprovals>(new GetPendingApprovals(), AskTimeout)).Approvals);
    }

    [Fact]
    public async Task An_approval_decided_while_paused_is_recorded_but_does_not_act()
    {
        var (orchestrator, approval, _) = FailTheBuild();

        Assert.True((await orchestrator.Ask<ControlAck>(new PauseAutopilot("alice"), AskTimeout)).Accepted);
        var decided = await orchestrator.Ask<ControlAck>(new DecideApproval(approval.ApprovalId, true, "bob", ApprovalChannels.Cli), AskTimeout);
        Settle(orchestrator);

        Assert.True(decided.Accepted);
        Assert.Contains("paused", decided.Message);
        Assert.Single(AuditTrail().OfType<ApprovalDecided>());
        Assert.DoesNotContain(AuditTrail(), e => e is ActionRequested { Action: "rollback" });
        Assert.Equal(0, RailwayCalls("deploymentRollback"));
    }

    [Fact]
    public async Task An_approval_decided_in_dry_run_is_recorded_as_a_dry_run_decision_and_does_not_act()
    {
        var (orchestrator, approval, _) = FailTheBuild();

        Assert.True((await orchestrator.Ask<ControlAck>(new SetDryRun(true), AskTimeout)).Accepted);
        var decided = await orchestrator.Ask<ControlAck>(new DecideApproval(approval.ApprovalId, true, "bob", ApprovalChannels.Cli), AskTimeout);
        Settle(orchestrator);

        Assert.True(decided.Accepted);
        Assert.Contains("dry-run", decided.Message);
        var dryRun = Assert.Single(AuditTrail().OfType<Decided>(), d => d.Reason.Contains(approval.ApprovalId));
        Assert.True(dryRun.DryRun);
        Assert.Equal(["rollback"], dryRun.Actions);
        Assert.DoesNotContain(AuditTrail(), e => e is ActionRequested { Action: "rollback" });
        Assert.Equal(0, RailwayCalls("deploymentRollback"));
    }

    [Fact]
    public async Task An_approval_pending_across_a_restart_survives_and_a_later_press_acts()
    {
        var (first, approval, message) = FailTheBuild();
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);

        var second = StartOrchestrator();
        var pending = await second.Ask<PendingApprovals>(new GetPendingApprovals(), AskTimeout);
        Assert.Equal(approval.ApprovalId, Assert.Single(pending.Approvals).ApprovalId);
        var press = await Press(second, message, $"approve:{approval.ApprovalId}", Alice, "alice");
        AdvanceUntil(() => RailwayCalls("deploymentRollback") == 1 && TelegramFake.WasAnswered(press.CallbackQueryId), "the rollback after the restart");

        Assert.Single(AuditTrail().OfType<ActionRequested>(), r => r.Action == "rollback");
        // The timer of the first life is gone with it; the second life armed its own from the journal, and the decision disarmed it.
        Scheduler.Advance(TimeSpan.FromMinutes(20));
        Settle(second);
        Assert.Empty(AuditTrail().OfType<ApprovalExpired>());
    }

    [Fact]
    public async Task An_approval_pending_across_a_restart_still_expires_on_time()
    {
        var (first, approval, _) = FailTheBuild();
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);

        var second = StartOrchestrator();
        Assert.Single((await second.Ask<PendingApprovals>(new GetPendingApprovals(), AskTimeout)).Approvals);
        AdvanceUntilAudit<ApprovalExpired>(e => e.ApprovalId == approval.ApprovalId, "the expiry after the restart");
        Assert.Single(AuditTrail().OfType<ApprovalExpired>());
        Assert.Equal(0, RailwayCalls("deploymentRollback"));
    }

    /// <summary>A build failure whose rollback waits for approval: returns the orchestrator, the approval and its Telegram message.</summary>
    private (IActorRef Orchestrator, ApprovalRequested Approval, TelegramFakeMessage Message) FailTheBuild()
    {
        RailwayFake.SeedDeployment(RailwayService.ServiceId, RailwayService.EnvironmentId, new string('1', 40), DeploymentStatus.Removed, Clock.GetUtcNow().AddHours(-2));
        var orchestrator = StartOrchestrator();
        RailwayFake.ScriptNextDeployment(RailwayService.ServiceId, DeploymentScript.FailBuild(CompilerError));
        PushGreenCommit(orchestrator, "Break the build");
        // The message is sent and its id is on record (so a decision from the CLI can edit it too).
        AdvanceUntil(() => AlertChatMessages.Any(m => m.Keyboard is not null)
                           && AuditTrail().OfType<ActionCompleted>().Any(c => c.Detail.StartsWith(ActionParameters.SentAsPrefix, StringComparison.Ordinal)),
            "the approval message in Telegram");
        var approval = Assert.Single(AuditTrail().OfType<ApprovalRequested>());
        Assert.Equal("rollback", approval.Action);
        Assert.Equal("build-failed", approval.Evidence[ApprovalEvidence.Situation]);
        var decided = AuditTrail().OfType<Decided>().Single(d => d.Situation == "build-failed");
        Assert.Equal(["alert-critical"], decided.Actions);
        Assert.Contains("waiting for approval: rollback", decided.Reason);
        return (orchestrator, approval, AlertChatMessages.Single(m => m.Keyboard is not null));
    }

    private async Task<TelegramFakePress> Press(IActorRef orchestrator, TelegramFakeMessage message, string data, long user, string username) =>
        (await PressAll(orchestrator, message, (data, user, username)))[0];

    /// <summary>Presses queued by the fake, read back with getUpdates and handed to the orchestrator as the intake would.</summary>
    private async Task<IReadOnlyList<TelegramFakePress>> PressAll(IActorRef orchestrator, TelegramFakeMessage message, params (string Data, long User, string Username)[] presses)
    {
        var pressed = new List<TelegramFakePress>();
        foreach (var (data, user, username) in presses)
        {
            var press = await TelegramFake.PressButton(AlertChat, message.MessageId, data, user, username);
            Assert.Null(press.WebhookStatus);
            pressed.Add(press);
        }

        var updates = (await TelegramClient.GetUpdatesAsync(_offset == 0 ? null : _offset, TimeSpan.Zero)).Value;
        Assert.Equal(pressed.Select(p => p.UpdateId), updates.Select(u => u.UpdateId));
        foreach (var (update, (data, _, _)) in updates.Zip(presses))
        {
            Assert.Equal(data, update.CallbackQuery!.Data);
            _offset = update.UpdateId + 1;
            var ack = await orchestrator.Ask<ControlAck>(
                new ExternalEvent(ExternalEventSources.Telegram, "callback_query", update.UpdateId.ToString(System.Globalization.CultureInfo.InvariantCulture), update.Json), AskTimeout);
            Assert.True(ack.Accepted);
        }

        return pressed;
    }
}
