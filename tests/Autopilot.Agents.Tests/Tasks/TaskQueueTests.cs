using Akka.Actor;
using Akka.Pattern;
using Akka.TestKit;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tasks;
using Autopilot.Agents.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Tasks;

/// <summary>
/// The task queue against a probe standing in for the orchestrator: order, one task per target, timeouts, cancel,
/// idempotent submits, and what a restart does with queued and running tasks.
/// </summary>
public sealed class TaskQueueTests(ITestOutputHelper output) : AgentsTestKit(output)
{
    private static readonly TaskSettings Settings = new(TimeSpan.FromMinutes(10), TimeSpan.FromHours(1), 500);

    private TestProbe Orchestrator => _orchestratorProbe ??= CreateTestProbe("orchestrator");
    private TestProbe? _orchestratorProbe;

    private IActorRef StartQueue(string name = "queue") => Sys.ActorOf(TaskQueue.Props(Settings, Orchestrator.Ref), name);

    private TaskView Submit(IActorRef queue, string kind, string target, string priority = TaskPriorities.Normal, string? key = null,
        TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? parameters = null)
    {
        queue.Tell(new SubmitTask(kind, target, parameters ?? new Dictionary<string, string>(), priority, timeout, key, "alice"), TestActor);
        return ExpectMsg<TaskAccepted>().Task;
    }

    /// <summary>The next task the probe is asked to run, and who to answer.</summary>
    private (RunTaskAction Run, IActorRef ReplyTo) NextRun()
    {
        var run = Orchestrator.ExpectMsg<RunTaskAction>();
        return (run, Orchestrator.LastSender);
    }

    private TaskView Task(IActorRef queue, string id)
    {
        queue.Tell(new GetTask(id), TestActor);
        return ExpectMsg<TaskDetail>().Task;
    }

    private void AwaitStatus(IActorRef queue, string id, string status) =>
        AwaitAssert(() => Assert.Equal(status, Task(queue, id).Status), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));

    [Fact]
    public void Higher_priority_starts_first_and_equal_priorities_in_the_order_submitted()
    {
        var queue = StartQueue();
        var first = Submit(queue, "rollback", "api");
        var (running, replyTo) = NextRun();
        Assert.Equal(first.Id, running.TaskId);

        // Queued behind the running task on the same service, in a mixed order.
        var low = Submit(queue, "rollback", "api", TaskPriorities.Low);
        var normal1 = Submit(queue, "rollback", "api");
        var high = Submit(queue, "rollback", "api", TaskPriorities.High);
        var normal2 = Submit(queue, "restart", "api");

        queue.Tell(new ListTasks(TaskStatuses.Queued), TestActor);
        Assert.Equal([high.Id, normal1.Id, normal2.Id, low.Id], ExpectMsg<TaskList>().Tasks.Select(t => t.Id));

        var started = new List<string>();
        replyTo.Tell(new TaskActionAnswer(first.Id, TaskActionOutcomes.Refused, "autopilot is paused; resume it first"));
        for (var i = 0; i < 4; i++)
        {
            var (next, answerTo) = NextRun();
            started.Add(next.TaskId);
            answerTo.Tell(new TaskActionAnswer(next.TaskId, TaskActionOutcomes.DryRun, "dry-run"));
        }

        Assert.Equal([high.Id, normal1.Id, normal2.Id, low.Id], started);
        Assert.Equal(TaskStatuses.Refused, Task(queue, first.Id).Status);
        AwaitStatus(queue, low.Id, TaskStatuses.DryRun);
    }

    [Fact]
    public void Two_tasks_never_run_at_once_on_the_same_target_but_do_on_different_ones()
    {
        var queue = StartQueue();
        var api1 = Submit(queue, "rollback", "api");
        var worker = Submit(queue, "restart", "worker");
        var api2 = Submit(queue, "restart", "api");

        var (a, aReply) = NextRun();
        var (b, _) = NextRun();
        Assert.Equal([api1.Id, worker.Id], new[] { a.TaskId, b.TaskId });
        Assert.Equal("rollback", a.Action);
        Assert.Equal(TaskStatuses.Queued, Task(queue, api2.Id).Status);

        // The rollback is requested, then its action settles: only then does the restart of api start.
        aReply.Tell(new TaskActionAnswer(api1.Id, TaskActionOutcomes.Requested, "rollback act-1 requested", "act-1"));
        AwaitAssert(() => Assert.Equal("act-1", Task(queue, api1.Id).ActionId));
        Assert.Equal(TaskStatuses.Queued, Task(queue, api2.Id).Status);
        queue.Tell(new TaskActionSettled(api1.Id, "act-1", true, "rolled back to dep-0"));

        var (c, _) = NextRun();
        Assert.Equal(api2.Id, c.TaskId);
        var done = Task(queue, api1.Id);
        Assert.Equal(TaskStatuses.Succeeded, done.Status);
        Assert.Equal("rolled back to dep-0", done.Detail);
    }

    [Fact]
    public void A_task_past_its_timeout_is_cut_off_recorded_as_timed_out_and_frees_its_target()
    {
        var queue = StartQueue();
        var slow = Submit(queue, "rollback", "api", timeout: TimeSpan.FromSeconds(30));
        var next = Submit(queue, "restart", "api");
        var (run, replyTo) = NextRun();
        replyTo.Tell(new TaskActionAnswer(slow.Id, TaskActionOutcomes.Requested, "requested", "act-slow"));
        AwaitAssert(() => Assert.Equal("act-slow", Task(queue, slow.Id).ActionId));

        Scheduler.Advance(TimeSpan.FromSeconds(31));

        var (following, _) = NextRun();
        Assert.Equal(next.Id, following.TaskId);
        var timedOut = Task(queue, slow.Id);
        Assert.Equal(TaskStatuses.TimedOut, timedOut.Status);
        Assert.Contains("act-slow", timedOut.Detail);
        // A late result changes nothing: the task stays timed out.
        queue.Tell(new TaskActionSettled(run.TaskId, "act-slow", true, "done after all"));
        Assert.Equal(TaskStatuses.TimedOut, Task(queue, slow.Id).Status);
        var recorded = Assert.Single(Journal(TaskQueue.DefaultPersistenceId).OfType<TaskTimedOut>());
        Assert.Equal("act-slow", recorded.ActionId);
    }

    [Fact]
    public void Only_a_queued_task_can_be_cancelled_and_a_cancelled_one_never_runs()
    {
        var queue = StartQueue();
        var running = Submit(queue, "rollback", "api");
        var cancelled = Submit(queue, "restart", "api");
        var after = Submit(queue, "restart", "api", TaskPriorities.Low);
        var (_, replyTo) = NextRun();

        queue.Tell(new CancelTask(cancelled.Id, "bob"), TestActor);
        var answer = ExpectMsg<TaskCancelAnswer>();
        queue.Tell(new CancelTask(running.Id, "bob"), TestActor);
        var refused = ExpectMsg<TaskCancelAnswer>();
        queue.Tell(new CancelTask("task-unknown", "bob"), TestActor);
        ExpectMsg<TaskNotFound>();

        Assert.True(answer.Cancelled);
        Assert.Equal(TaskStatuses.Cancelled, answer.Task.Status);
        Assert.False(refused.Cancelled);
        Assert.Contains("already running", refused.Message);
        replyTo.Tell(new TaskActionAnswer(running.Id, TaskActionOutcomes.Refused, "no"));
        var (next, _) = NextRun();
        Assert.Equal(after.Id, next.TaskId);
        queue.Tell(new CancelTask(running.Id, "bob"), TestActor);
        Assert.Contains("already ended", ExpectMsg<TaskCancelAnswer>().Message);
        Assert.Single(Journal(TaskQueue.DefaultPersistenceId).OfType<TaskCancelled>(), c => c.TaskId == cancelled.Id && c.By == "bob");
    }

    [Fact]
    public void A_submit_retried_with_the_same_idempotency_key_returns_the_same_task()
    {
        var queue = StartQueue();
        var first = Submit(queue, "drill", "build-failed", key: "ci-run-42");
        queue.Tell(new SubmitTask("drill", "build-failed", new Dictionary<string, string>(), TaskPriorities.Normal, null, "ci-run-42", "alice"), TestActor);
        var again = ExpectMsg<TaskAccepted>();
        var other = Submit(queue, "drill", "build-failed", key: "ci-run-43");

        Assert.True(again.Existing);
        Assert.Equal(first.Id, again.Task.Id);
        Assert.NotEqual(first.Id, other.Id);
        Assert.Equal(2, Journal(TaskQueue.DefaultPersistenceId).OfType<TaskSubmitted>().Count());
    }

    [Fact]
    public void Bad_submits_are_rejected_with_the_reason_and_nothing_is_journaled()
    {
        var queue = StartQueue();
        string Rejected(SubmitTask submit)
        {
            queue.Tell(submit, TestActor);
            return ExpectMsg<TaskRejected>().Reason;
        }

        var none = new Dictionary<string, string>();
        Assert.Contains("unknown task kind \"teleport\"", Rejected(new SubmitTask("teleport", "api", none, TaskPriorities.Normal, null, null, "alice")));
        Assert.Contains("commit", Rejected(new SubmitTask("gate", "api", none, TaskPriorities.Normal, null, null, "alice")));
        Assert.Contains("needs a target", Rejected(new SubmitTask("rollback", " ", none, TaskPriorities.Normal, null, null, "alice")));
        Assert.Contains("unknown priority \"urgent\"", Rejected(new SubmitTask("rollback", "api", none, "urgent", null, null, "alice")));
        Assert.Contains("max-timeout", Rejected(new SubmitTask("rollback", "api", none, TaskPriorities.Normal, TimeSpan.FromHours(2), null, "alice")));
        Assert.Empty(Journal(TaskQueue.DefaultPersistenceId));
    }

    [Fact]
    public void After_a_restart_queued_tasks_stay_queued_and_a_running_one_is_reconciled_not_run_again()
    {
        var queue = StartQueue();
        var rollback = Submit(queue, "rollback", "api");
        var drill = Submit(queue, "drill", "build-failed");
        var queued = Submit(queue, "restart", "api");
        var (run, replyTo) = NextRun();
        Orchestrator.ExpectMsg<RunDrill>(); // the drill runs beside it (another target); nobody answers before the crash
        replyTo.Tell(new TaskActionAnswer(rollback.Id, TaskActionOutcomes.Requested, "requested", "act-1"));
        AwaitAssert(() => Assert.Equal("act-1", Task(queue, rollback.Id).ActionId));

        Watch(queue);
        Sys.Stop(queue);
        ExpectTerminated(queue);
        var restarted = StartQueue("queue-restarted"); // the stopped one's name is freed a moment after Terminated

        // The rollback is not sent again: the queue asks whether its action is still pending.
        var find = Orchestrator.ExpectMsg<FindTaskAction>();
        Assert.Equal(run.TaskId, find.TaskId);
        Orchestrator.Reply(new TaskActionState(rollback.Id, "act-1"));
        Assert.Equal(TaskStatuses.Running, Task(restarted, rollback.Id).Status);
        Assert.Equal(TaskStatuses.Queued, Task(restarted, queued.Id).Status);
        var interrupted = Task(restarted, drill.Id);
        Assert.Equal(TaskStatuses.Interrupted, interrupted.Status);
        Assert.Contains("not run again", interrupted.Detail);

        // Its action's result finishes it, and the queued restart of the same service starts only then.
        restarted.Tell(new TaskActionSettled(rollback.Id, "act-1", false, "Railway refused the rollback"));
        var (next, _) = NextRun();
        Assert.Equal(queued.Id, next.TaskId);
        Assert.Equal(TaskStatuses.Failed, Task(restarted, rollback.Id).Status);
        Assert.Single(Journal(TaskQueue.DefaultPersistenceId).OfType<TaskStarted>(), s => s.TaskId == rollback.Id);
    }

    [Fact]
    public void A_running_task_whose_action_is_no_longer_pending_after_a_restart_is_closed_as_interrupted()
    {
        var queue = StartQueue();
        var rollback = Submit(queue, "rollback", "api");
        var queued = Submit(queue, "restart", "api");
        NextRun();

        Watch(queue);
        Sys.Stop(queue);
        ExpectTerminated(queue);
        var restarted = StartQueue("queue-restarted"); // the stopped one's name is freed a moment after Terminated
        Orchestrator.ExpectMsg<FindTaskAction>();
        Orchestrator.Reply(new TaskActionState(rollback.Id, null));

        var (next, _) = NextRun();
        Assert.Equal(queued.Id, next.TaskId);
        var closed = Task(restarted, rollback.Id);
        Assert.Equal(TaskStatuses.Interrupted, closed.Status);
        Assert.Contains(rollback.Id, closed.Detail);
    }

    [Fact]
    public async Task A_failed_journal_write_stops_the_queue_and_its_supervisor_starts_it_again_from_the_journal()
    {
        var queue = Sys.ActorOf(TaskQueue.SupervisedProps(Settings, Orchestrator.Ref), TaskQueue.Name);
        var kept = Submit(queue, "drill", "build-failed");
        Orchestrator.ExpectMsg<RunDrill>(); // running, unanswered, when the journal fails

        var child = (await queue.Ask<BackoffSupervisor.CurrentChild>(BackoffSupervisor.GetCurrentChild.Instance, TimeSpan.FromSeconds(10))).Ref!;
        Watch(child);
        await JournalFaults.OnWrite.Fail();
        var lost = CreateTestProbe();
        queue.Tell(new SubmitTask("rollback", "api", new Dictionary<string, string>(), TaskPriorities.Normal, null, "lost-1", "alice"), lost.Ref);
        ExpectTerminated(child);
        await JournalFaults.OnWrite.Pass();

        // Back after the backoff, from the journal: the drill that was running is closed, not run again.
        AdvanceUntil(() =>
        {
            var probe = CreateTestProbe();
            queue.Tell(new GetTask(kept.Id), probe.Ref);
            return probe.ReceiveOne(TimeSpan.FromMilliseconds(200)) is TaskDetail { Task.Status: TaskStatuses.Interrupted };
        }, TimeSpan.FromSeconds(1), "the queue to start again from its journal");
        // The submit whose write failed was never acknowledged and is not there; the same key submits afresh.
        Assert.Null(lost.ReceiveOne(TimeSpan.Zero));
        var again = Submit(queue, "rollback", "api", key: "lost-1");
        Assert.DoesNotContain(Journal(TaskQueue.DefaultPersistenceId).OfType<TaskSubmitted>(), s => s.TaskId != kept.Id && s.TaskId != again.Id);
        Assert.Equal(again.Id, NextRun().Run.TaskId);
    }
}
