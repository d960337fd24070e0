using Autopilot.Actors;

namespace Autopilot.Daemon.Runtime;

/// <summary>
/// Stops an actor and completes when it has terminated: with a <see cref="PoisonPill"/> (so it finishes the messages
/// already queued) at shutdown, to let the orchestrator and the intake drain before the journal closes; or at once
/// (after its current message) when a cluster node lost the lease its actors ran under.
/// </summary>
internal sealed class ActorStopper : ReceiveActor
{
    private ActorStopper(IActorRef target, bool immediately, TaskCompletionSource done)
    {
        Context.Watch(target);
        if (immediately)
        {
            Context.System.Stop(target);
        }
        else
        {
            target.Tell(PoisonPill.Instance);
        }

        Receive<Terminated>(_ =>
        {
            done.TrySetResult();
            Context.Stop(Self);
        }, t => t.ActorRef.Equals(target));
    }

    /// <summary>Stops <paramref name="target"/> and waits for its termination, at most <paramref name="timeout"/>.</summary>
    /// <param name="system">The system <paramref name="target"/> lives in (it must be a top-level actor when <paramref name="immediately"/>).</param>
    /// <param name="target">The actor.</param>
    /// <param name="timeout">Longest wait.</param>
    /// <param name="immediately">Stop after the current message instead of after the queued ones.</param>
    /// <returns>True when it terminated in time.</returns>
    public static async Task<bool> StopAsync(ActorSystem system, IActorRef target, TimeSpan timeout, bool immediately = false)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        system.SystemActorOf(Props.Create(() => new ActorStopper(target, immediately, done)));
        var finished = await Task.WhenAny(done.Task, Task.Delay(timeout)).ConfigureAwait(false);
        return finished == done.Task;
    }
}
