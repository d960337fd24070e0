using Autopilot.Actors.Dispatch;

namespace Autopilot.Actors;

/// <summary><c>/deadLetters</c>: whatever is told to it is published as a dead letter.</summary>
internal sealed class DeadLetterActorRef(ActorSystemImpl system, ActorPath path) : ActorRefBase
{
    public override ActorPath Path { get; } = path;

    public override void Tell(object message, IActorRef? sender = null) =>
        system.DeadLetter(message, ImplicitSender(sender), this);

    internal override void SendSystemMessage(SystemMessage message)
    {
        if (message is Watch watch)
        {
            watch.Watcher.SendSystemMessage(new DeathWatchNotification(this, ExistenceConfirmed: false));
        }
    }

    internal override bool IsTerminated => true;

    internal override ActorSystemImpl OwningSystem => system;
}
