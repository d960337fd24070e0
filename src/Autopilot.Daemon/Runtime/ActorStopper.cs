using Autopilot.Actors;

namespace Autopilot.Daemon.Runtime;

/// <summary>
/// Stops an actor with a <see cref="PoisonPill"/> (so it finishes the messages already queued) and completes when it
/// has terminated: used at shutdown to let the orchestrator and the intake drain before the journal closes.
/// </summary>
internal sealed class ActorStopper : ReceiveActor
{
    private ActorStopper(IActorRef target, TaskCompletionSource done)
    {
        Context.Watch(target);
        target.Tell(PoisonPill.Instance);
        Receive<Terminated>(_ =>
        {
            done.TrySetResult();
            Context.Stop(Self);
        }, t => t.ActorRef.Equals(target));
    }

    /// <summary>Stops <paramref name="target"/> and waits for its termination, at most <paramref name="timeout"/>.</summary>
    /// <returns>True when it terminated in time.</returns>
    public static async Task<bool> StopAsync(ActorSystem system, IActorRef target, TimeSpan timeout)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        system.SystemActorOf(Props.Create(() => new ActorStopper(target, done)));
        var finished = await Task.WhenAny(done.Task, Task.Delay(timeout)).ConfigureAwait(false);
        return finished == done.Task;
    }
}
