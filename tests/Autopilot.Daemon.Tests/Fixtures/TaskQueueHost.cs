using System.Collections.Concurrent;
using Akka.Actor;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tasks;
using Autopilot.Daemon.Runtime;

namespace Autopilot.Daemon.Tests.Fixtures;

/// <summary>
/// Stands in for the orchestrator of the task API tests: runs the real <see cref="TaskQueue"/> as its <c>tasks</c> child
/// (as the orchestrator does), forwards the queue's requests to it, and answers the tasks it is sent — a drill is
/// accepted, an action on <see cref="BusyTarget"/> never answers (it stays running), any other action is a dry-run.
/// </summary>
public sealed class TaskQueueHost : ReceiveActor
{
    /// <summary>Tasks on this target start and never end (what the cancel tests queue behind).</summary>
    public const string BusyTarget = "busy-api";

    public TaskQueueHost(ConcurrentQueue<object> received)
    {
        var queue = Context.ActorOf(TaskQueue.SupervisedProps(TaskSettings.Default, Self), TaskQueue.Name);
        Receive<ITaskQueueRequest>(request => queue.Forward(request));
        Receive<RunDrill>(drill =>
        {
            received.Enqueue(drill);
            Sender.Tell(new ControlAck(true, $"drill {drill.Scenario}: recorded, not executed"));
        });
        Receive<RunTaskAction>(run =>
        {
            received.Enqueue(run);
            if (run.Service != BusyTarget)
            {
                Sender.Tell(new TaskActionAnswer(run.TaskId, TaskActionOutcomes.DryRun, $"dry-run: {run.Action} of {run.Service} recorded, not executed"));
            }
        });
        Receive<FindTaskAction>(find =>
        {
            received.Enqueue(find);
            Sender.Tell(new TaskActionState(find.TaskId, null));
        });
        Receive<GetOrchestratorStatus>(_ => Sender.Tell(new OrchestratorStatus(false, false, [], [], [], [], 0, null)));
    }

    /// <summary>The orchestrator factory of the task API tests.</summary>
    public static OrchestratorFactory Factory(ConcurrentQueue<object> received) => (_, _) => Props.Create(() => new TaskQueueHost(received));
}
