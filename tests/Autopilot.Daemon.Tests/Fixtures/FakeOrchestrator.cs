using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Persistence;
using Autopilot.Agents.Protocol;

namespace Autopilot.Daemon.Tests.Fixtures;

/// <summary>
/// Stands in for the orchestrator: answers the control protocol like the real one (journaling mode changes as audit
/// events, which the journal's audit tagger tags), confirms handed-over webhooks, refuses rollbacks of unknown
/// services, and records every message it got for assertions.
/// </summary>
public sealed class FakeOrchestrator : ReceivePersistentActor
{
    public const string KnownService = "demo-api";

    /// <summary>The approval the fake has pending until it is decided.</summary>
    public const string PendingApprovalId = "apr-0123456789ab";

    private bool _paused;
    private string? _approvalOutcome;
    private bool _dryRun;

    public FakeOrchestrator(ConcurrentQueue<object> received)
    {
        Recover<AutopilotModeChanged>(e => Apply(e.Change));
        Recover<IAuditEvent>(_ => { });
        CommandAny(message =>
        {
            var sender = Sender;
            if (message is ExternalEvents handedOver)
            {
                // Recorded delivery by delivery, as the tests look for them.
                foreach (var delivery in handedOver.Events)
                {
                    received.Enqueue(delivery);
                }

                sender.Tell(new ControlAck(true, $"handled {handedOver.Events.Count}"));
                return;
            }

            received.Enqueue(message);
            switch (message)
            {
                case ExternalEvent delivery:
                    sender.Tell(new ControlAck(true, $"handled {delivery.DeliveryId}"));
                    break;
                case GetOrchestratorStatus:
                    sender.Tell(new OrchestratorStatus(_paused, _dryRun,
                        [new ServiceView(KnownService, "dep-2", "CRASHED", "dep-1", 1, false)],
                        [new IncidentView("inc-1", KnownService, "deployment-crashed", "demo-api crashed", Now, 2, null)],
                        [], [], PendingActions: 0, LastCycleAt: Now));
                    break;
                case PauseAutopilot pause:
                    Persist(new AutopilotModeChanged("paused", pause.By, Now), e =>
                    {
                        Apply(e.Change);
                        sender.Tell(new ControlAck(true, "paused"));
                    });
                    break;
                case ResumeAutopilot resume:
                    Persist(new AutopilotModeChanged("resumed", resume.By, Now), e =>
                    {
                        Apply(e.Change);
                        sender.Tell(new ControlAck(true, "resumed"));
                    });
                    break;
                case SetDryRun dryRun:
                    Persist(new AutopilotModeChanged(dryRun.Enabled ? "dry-run-on" : "dry-run-off", "operator", Now), e =>
                    {
                        Apply(e.Change);
                        sender.Tell(new ControlAck(true, e.Change));
                    });
                    break;
                case RequestRollback rollback:
                    sender.Tell(rollback.Service == KnownService
                        ? new ControlAck(true, $"rolling back {rollback.Service}")
                        : new ControlAck(false, $"unknown service {rollback.Service}"));
                    break;
                case RunDrill drill:
                    // A drill's trace in the journal: one finished action and the alert about it.
                    PersistAll(new IAuditEvent[]
                    {
                        new ActionCompleted($"drill-{drill.Scenario}", "rolled back (drill)", "railway", KnownService, Now),
                        new AlertSent(AlertSeverity.Warning, $"Drill {drill.Scenario}", "drill", ["telegram"], KnownService, Now),
                    }, e =>
                    {
                        if (e is AlertSent)
                        {
                            sender.Tell(new ControlAck(true, $"drill {drill.Scenario} started"));
                        }
                    });
                    break;
                case GetPendingApprovals:
                    sender.Tell(new PendingApprovals(_approvalOutcome is null
                        ? [new ApprovalRequested(PendingApprovalId, KnownService, "rollback", "policy rule \"build-failed\" marks rollback approve:", null,
                            new Dictionary<string, string> { ["situation"] = "build-failed", ["evidence"] = "error TS2345" }, "abc1234", "dep-2", Now)]
                        : [], TimeSpan.FromMinutes(15)));
                    break;
                case DecideApproval decide when decide.ApprovalId != PendingApprovalId:
                    sender.Tell(new ControlAck(false, $"no pending approval {decide.ApprovalId}"));
                    break;
                case DecideApproval decide when _approvalOutcome is { } outcome:
                    sender.Tell(new ControlAck(false, $"approval {decide.ApprovalId} was already {outcome}; nothing changed"));
                    break;
                case DecideApproval decide:
                    _approvalOutcome = $"{(decide.Approve ? "approved" : "rejected")} by {decide.By} ({decide.Channel})";
                    sender.Tell(new ControlAck(true, $"approval {decide.ApprovalId} {_approvalOutcome}"));
                    break;
                case Autopilot.Agents.Migrations.RunMigrations migrate:
                    sender.Tell(migrate.Target == "app"
                        ? new ControlAck(true, migrate.DryRun ? "dry-run: would back up app and apply V3__add_index.sql (no destructive statements); nothing changed" : "migration of app requested")
                        : new ControlAck(false, $"unknown migration target \"{migrate.Target}\"; known: app"));
                    break;
                case AcknowledgeIncident ack:
                    sender.Tell(new ControlAck(ack.IncidentId == "inc-1", ack.IncidentId == "inc-1" ? "acknowledged" : "no such incident"));
                    break;
            }
        });
    }

    public override string PersistenceId => "orchestrator";

    private static DateTimeOffset Now => Context.System.Scheduler.Now;

    private void Apply(string change)
    {
        _paused = change switch { "paused" => true, "resumed" => false, _ => _paused };
        _dryRun = change switch { "dry-run-on" => true, "dry-run-off" => false, _ => _dryRun };
    }
}
