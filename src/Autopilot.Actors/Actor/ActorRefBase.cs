using Autopilot.Actors.Dispatch;

namespace Autopilot.Actors;

/// <summary>
/// Base of the runtime's references: equality by path and uid, and the system-message channel that lets stop,
/// watch and supervision signals overtake user messages.
/// </summary>
public abstract class ActorRefBase : IActorRef
{
    /// <inheritdoc />
    public abstract ActorPath Path { get; }

    /// <inheritdoc />
    public abstract void Tell(object message, IActorRef? sender = null);

    /// <summary>Delivers a runtime signal ahead of queued user messages.</summary>
    internal abstract void SendSystemMessage(SystemMessage message);

    /// <summary>Whether the actor behind this reference is known to have terminated.</summary>
    internal virtual bool IsTerminated => false;

    /// <summary>The system this reference belongs to, where known (Ask needs its scheduler and settings).</summary>
    internal virtual ActorSystemImpl? OwningSystem => null;

    /// <inheritdoc />
    public bool Equals(IActorRef? other) => other is not null && Path.Uid == other.Path.Uid && Path.Equals(other.Path);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is IActorRef other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Path, Path.Uid);

    /// <inheritdoc />
    public override string ToString() => $"[{Path}]";

    /// <summary>Resolves the implicit sender: the actor running on this thread, else no sender.</summary>
    internal static IActorRef ImplicitSender(IActorRef? sender) => sender ?? (IActorRef?)ActorCell.Current?.Self ?? Nobody.Instance;
}
