namespace Autopilot.Actors;

/// <summary>
/// A handle to an actor: the only way to talk to it. Safe to share between threads and to keep after the actor
/// stopped (messages then go to dead letters).
/// </summary>
public interface IActorRef : IEquatable<IActorRef>
{
    /// <summary>Where the actor lives in the hierarchy, with the incarnation's uid.</summary>
    ActorPath Path { get; }

    /// <summary>
    /// Sends <paramref name="message"/> without waiting. With no <paramref name="sender"/>, the actor whose message is
    /// being processed on this thread is the sender (as in Akka.NET), else <see cref="ActorRefs.NoSender"/>.
    /// </summary>
    void Tell(object message, IActorRef? sender = null);
}

/// <summary>Well-known references.</summary>
public static class ActorRefs
{
    /// <summary>The sender of a message sent from outside any actor; replies to it become dead letters.</summary>
    public static IActorRef NoSender => global::Autopilot.Actors.Nobody.Instance;

    /// <summary>A reference to no actor at all.</summary>
    public static IActorRef Nobody => global::Autopilot.Actors.Nobody.Instance;
}
