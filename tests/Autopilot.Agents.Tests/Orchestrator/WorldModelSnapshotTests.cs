using System.Text.Json;
using Akka.Serialization;
using Autopilot.Agents.Serialization;
using Autopilot.Agents.Tests.Support;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Policy;
using Autopilot.Agents.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Orchestrator;

/// <summary>
/// A world model restored from its snapshot, as stored by the serializer the actor system binds to it, answers every
/// question as the model that replayed the events.
/// </summary>
public sealed class WorldModelSnapshotTests(ITestOutputHelper output) : AgentsTestKit(output)
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static IEnumerable<IAuditEvent> History() =>
    [
        new Observed("railway", ObservationKinds.DeploymentStatus, "api d1 → SUCCESS", "api", "d1", "c1", T0, "SUCCESS", "observed"),
        new Observed("railway", ObservationKinds.DeploymentStatus, "api d2 → CRASHED", "api", "d2", "c2", T0.AddMinutes(1), "CRASHED"),
        new Observed("github", ObservationKinds.ChecksCompleted, "main", null, null, "c3", T0.AddMinutes(2), "failed"),
        new Observed("github", ObservationKinds.CommitPushed, "main", null, null, "c4", T0.AddMinutes(3)),
        new ExternalEventReceived("github", "push", "delivery-1", T0.AddMinutes(3)),
        new IncidentOpened("inc-1", "api", "api:crashed", "api: crashed", "d2", "c2", T0.AddMinutes(4)),
        new IncidentUpdated("inc-1", IncidentChanges.Repeated, "again", T0.AddMinutes(5)),
        new IncidentUpdated("inc-1", IncidentChanges.Acknowledged, "alice", T0.AddMinutes(6)),
        new ActionRequested("a-1", WorkerNames.Railway, PolicyActions.Restart, "api", new Dictionary<string, string>(), "d2", "c2", T0.AddMinutes(7)),
        new ActionRequested("a-2", WorkerNames.Railway, PolicyActions.Rollback, "api", new Dictionary<string, string> { ["to"] = "d1" }, "d2", "c2", T0.AddMinutes(8)),
        new ActionCompleted("a-1", "restarted", WorkerNames.Railway, "api", T0.AddMinutes(9)),
        new AutopilotModeChanged(ModeChanges.BudgetExhausted, "orchestrator", T0.AddMinutes(10), "api"),
        new AutopilotModeChanged(ModeChanges.DryRunOn, "bob", T0.AddMinutes(11)),
        new N8nFailureDetected("wf-1", "ex-1", "timeout", T0.AddMinutes(12)),
        new N8nFailureDetected("wf-1", "ex-2", "timeout", T0.AddMinutes(12), RetryOf: "ex-1"),
        new ApprovalRequested("apr-1", "api", PolicyActions.Rollback, "approve:", 70, new Dictionary<string, string> { ["situation"] = "build-failed" }, "c2", "d2", T0.AddMinutes(12)),
        new ApprovalRequested("apr-2", "api", PolicyActions.Restart, "budget", null, new Dictionary<string, string> { ["situation"] = "crashed-transient" }, null, "d2", T0.AddMinutes(12)),
        new ActionRequested("a-3", WorkerNames.Alerts, PolicyActions.RequestApproval, "api", new Dictionary<string, string> { [ActionParameters.ApprovalId] = "apr-1" }, null, null, T0.AddMinutes(12)),
        new ActionCompleted("a-3", $"{ActionParameters.SentAsPrefix}-100:7", WorkerNames.Alerts, "api", T0.AddMinutes(12)),
        new ApprovalDecided("apr-2", false, "bob", ApprovalChannels.Cli, T0.AddMinutes(12)),
    ];

    [Fact]
    public void A_model_restored_from_its_serialized_snapshot_answers_like_the_model_that_applied_the_events()
    {
        var replayed = new WorldModel(paused: false, dryRun: false);
        foreach (var @event in History())
        {
            replayed.Apply(@event);
        }

        // The serializer the actor system picks for a snapshot (bound in HOCON), asked directly.
        var snapshot = replayed.ToSnapshot();
        var serializer = Assert.IsType<EventSerializer>(Sys.Serialization.FindSerializerFor(snapshot));
        var manifest = serializer.Manifest(snapshot);
        var stored = serializer.ToBinary(snapshot);
        var restored = WorldModel.FromSnapshot(Assert.IsType<OrchestratorSnapshot>(Sys.Serialization.Deserialize(stored, serializer.Identifier, manifest)));

        AssertAnswersAlike(replayed, restored);
        Assert.False(restored.Paused);
        Assert.True(restored.DryRun);
        Assert.True(restored.HasSeen("d1", "SUCCESS", "observed"));
        Assert.True(restored.WasRestarted("d2"));
        Assert.False(restored.HasSeen("d2", "CRASHED")); // forgotten by the restart, as in the replay
        Assert.True(restored.HasDelivery("github", "delivery-1"));
        Assert.True(restored.HasJudged("c3", passed: false));
        Assert.True(restored.HasN8nFailure("ex-2")); // a failed retry of it is the same failure
        Assert.Null(restored.DeploymentOf("api", "c2")); // its deployment crashed: not running
        Assert.Equal(["a-2"], restored.Pending.Keys);
        Assert.Equal(2, restored.ActionsInWindow("api", T0));
        Assert.True(restored.BudgetAlertedSince("api", T0));
        Assert.Equal(("alice", 2), (restored.OpenIncident("api:crashed")!.AcknowledgedBy, restored.OpenIncident("api:crashed")!.Occurrences));
        Assert.Equal(["apr-1"], restored.Approvals.Keys);
        Assert.Equal(70, restored.Approvals["apr-1"].Confidence);
        Assert.Equal("-100:7", restored.ApprovalMessage("apr-1"));
        Assert.Equal("rejected by bob (cli)", restored.ClosedApproval("apr-2"));

        // Events after the snapshot change both alike.
        IAuditEvent[] later =
        [
            new ActionFailed("a-2", "timeout", WorkerNames.Railway, "api", T0.AddMinutes(13)),
            new IncidentUpdated("inc-1", IncidentChanges.Resolved, "healthy", T0.AddMinutes(14)),
            new ExternalEventReceived("github", "push", "delivery-2", T0.AddMinutes(15)),
            new ApprovalExpired("apr-1", T0.AddMinutes(27)),
        ];
        foreach (var @event in later)
        {
            replayed.Apply(@event);
            restored.Apply(@event);
        }

        AssertAnswersAlike(replayed, restored);
        Assert.Empty(restored.Pending);
        Assert.Null(restored.OpenIncident("api:crashed"));
        Assert.Empty(restored.Approvals);
        Assert.Equal("expired", restored.ClosedApproval("apr-1"));
    }

    [Fact]
    public void A_snapshot_written_before_approvals_existed_reads_with_none_pending()
    {
        var model = new WorldModel(paused: false, dryRun: false);
        foreach (var @event in History().Where(e => e is not (ApprovalRequested or ApprovalDecided)))
        {
            model.Apply(@event);
        }

        var snapshot = model.ToSnapshot();
        var serializer = Assert.IsType<EventSerializer>(Sys.Serialization.FindSerializerFor(snapshot));
        var manifest = serializer.Manifest(snapshot);
        Assert.Equal("autopilot.orchestrator_snapshot#3", manifest);
        // What version 2 wrote: the same without the approvals' fields.
        var v2 = System.Text.Json.Nodes.JsonNode.Parse(serializer.ToBinary(snapshot))!.AsObject();
        Assert.True(v2.Remove("approvals") && v2.Remove("approvalMessages") && v2.Remove("closedApprovals"));

        var read = Assert.IsType<OrchestratorSnapshot>(serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(v2.ToJsonString()), "autopilot.orchestrator_snapshot#2"));

        Assert.Empty(read.Approvals!);
        Assert.Empty(read.ClosedApprovals!);
        AssertAnswersAlike(model, WorldModel.FromSnapshot(read));
    }

    private static void AssertAnswersAlike(WorldModel expected, WorldModel actual)
    {
        Assert.Equal(Json(expected.ToSnapshot()), Json(actual.ToSnapshot()));
        Assert.Equal(Json(expected.Status(["api"], T0, 5)), Json(actual.Status(["api"], T0, 5)));
    }

    private static string Json(object value) => JsonSerializer.Serialize(value);
}
