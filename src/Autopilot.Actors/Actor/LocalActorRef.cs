using Autopilot.Actors.Dispatch;

namespace Autopilot.Actors;

/// <summary>The reference to an actor in this process; the same instance across restarts of that actor.</summary>
internal sealed class LocalActorRef : ActorRefBase
{
    private readonly ActorPath _path;

    public LocalActorRef(ActorCell cell, ActorPath path)
    {
        Cell = cell;
        _path = path;
    }

    public ActorCell Cell { get; }

    public override ActorPath Path => _path;

    public override void Tell(object message, IActorRef? sender = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        Cell.Mailbox.Post(new Envelope(message, sender ?? ActorCell.Current?.Self ?? (IActorRef)Nobody.Instance));
    }

    internal override void SendSystemMessage(SystemMessage message) => Cell.SendSystemMessage(message);

    internal override bool IsTerminated => Cell.IsTerminated;

    internal override ActorSystemImpl? OwningSystem => Cell.System;
}
