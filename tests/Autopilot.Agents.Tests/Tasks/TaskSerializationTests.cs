using Autopilot.Agents.Protocol;
using Autopilot.Agents.Serialization;
using Autopilot.Agents.Tasks;
using Xunit;

namespace Autopilot.Agents.Tests.Tasks;

/// <summary>
/// The queue's events are journaled and its protocol crosses the network in a cluster (the HTTP edge on any node asks
/// the singleton): each must survive the agents' serializer unchanged.
/// </summary>
public sealed class TaskSerializationTests
{
    private static readonly EventCatalog Catalog = EventCatalog.ForAgents();
    private static readonly DateTimeOffset At = new(2026, 12, 3, 21, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyDictionary<string, string> Parameters = new Dictionary<string, string> { ["commit"] = "4f2c9e1" };

    private static T RoundTrip<T>(T value) where T : notnull => (T)Catalog.FromJson(Catalog.ToJson(value), Catalog.ManifestOf(value));

    [Fact]
    public void Task_events_round_trip_and_are_audit_events_of_the_tasks_domain()
    {
        var submitted = new TaskSubmitted("task-1", "gate", "api", Parameters, TaskPriorities.High, TimeSpan.FromMinutes(5), "ci-42", "alice", "api", At);
        var back = RoundTrip(submitted);

        Assert.Equal(submitted with { Parameters = back.Parameters }, back);
        Assert.Equal("4f2c9e1", back.Parameters["commit"]);
        Assert.Equal(new TaskFinished("task-1", TaskStatuses.Failed, "Railway refused", "rollback-1", "api", At),
            RoundTrip(new TaskFinished("task-1", TaskStatuses.Failed, "Railway refused", "rollback-1", "api", At)));
        Assert.Equal(new TaskTimedOut("task-1", "no answer", null, "api", At), RoundTrip(new TaskTimedOut("task-1", "no answer", null, "api", At)));
        Assert.Equal(["audit", "tasks"], AuditEvents.TagsFor(new TaskCancelled("task-1", "bob", null, At)));
        Assert.Contains(typeof(TaskStarted), AuditEvents.Types);
    }

    [Fact]
    public void The_queue_protocol_round_trips()
    {
        var view = new TaskView("task-1", "gate", "api", Parameters, TaskPriorities.Low, TimeSpan.FromMinutes(5), TaskStatuses.Running, "alice", At, At, null, null, "act-1", null);

        var submit = RoundTrip(new SubmitTask("gate", "api", Parameters, TaskPriorities.Low, TimeSpan.FromSeconds(90), "ci-42", "alice"));
        var accepted = RoundTrip(new TaskAccepted(view, true));
        var detail = RoundTrip(new TaskDetail(view, [new TaskTimelineEntry("submitted", "gate of api", At)]));
        var run = RoundTrip(new RunTaskAction("task-1", WorkerNames.Railway, "rollback", "api", Parameters, "alice"));

        Assert.Equal((TimeSpan?)TimeSpan.FromSeconds(90), submit.Timeout);
        Assert.Equal("ci-42", submit.IdempotencyKey);
        Assert.True(accepted.Existing);
        Assert.Equal(view with { Parameters = accepted.Task.Parameters }, accepted.Task);
        Assert.Equal("gate of api", Assert.Single(detail.Timeline).Detail);
        Assert.Equal(("task-1", "rollback", "4f2c9e1"), (run.TaskId, run.Action, run.Parameters["commit"]));
        Assert.Equal(new TaskActionSettled("task-1", "act-1", true, "done"), RoundTrip(new TaskActionSettled("task-1", "act-1", true, "done")));
        Assert.Equal(new TaskActionState("task-1", null), RoundTrip(new TaskActionState("task-1", null)));
    }

    [Fact]
    public void Task_events_journaled_before_they_carried_a_service_replay_with_none()
    {
        // Version 1 JSON, as the daemon wrote it before the service was added.
        var started = (TaskStarted)Catalog.FromJson("""{"taskId":"task-1","at":"2026-12-03T21:00:00+00:00"}"""u8.ToArray(), "autopilot.task_started#1");
        var finished = (TaskFinished)Catalog.FromJson(
            """{"taskId":"task-1","outcome":"failed","detail":"Railway refused","actionId":"rollback-1","at":"2026-12-03T21:00:00+00:00"}"""u8.ToArray(), "autopilot.task_finished#1");

        Assert.Equal(new TaskStarted("task-1", null, At), started);
        Assert.Equal(new TaskFinished("task-1", TaskStatuses.Failed, "Railway refused", "rollback-1", null, At), finished);
        Assert.Equal("autopilot.task_started#2", Catalog.ManifestOf(started));
    }
}
