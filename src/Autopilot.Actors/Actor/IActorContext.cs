using Autopilot.Actors.Event;

namespace Autopilot.Actors;

/// <summary>Handles one message; returns false when the message was not handled (it then becomes unhandled).</summary>
public delegate bool Receive(object message);

/// <summary>Creates actors: the actor system (top-level actors) and every actor's context (children).</summary>
public interface IActorRefFactory
{
    /// <summary>
    /// Creates an actor. Names are unique among siblings until the sibling has fully terminated; without a name a
    /// unique one starting with <c>$</c> is generated.
    /// </summary>
    /// <exception cref="InvalidActorNameException">The name is invalid or taken.</exception>
    IActorRef ActorOf(Props props, string? name = null);
}

/// <summary>
/// What an actor sees of the runtime while it processes a message: itself, the sender, its family, and the
/// operations that change how it behaves. Only valid on the actor's own thread of control.
/// </summary>
public interface IActorContext : IActorRefFactory
{
    /// <summary>This actor.</summary>
    IActorRef Self { get; }

    /// <summary>Sender of the message being processed; dead letters when there is none.</summary>
    IActorRef Sender { get; }

    /// <summary>The supervisor.</summary>
    IActorRef Parent { get; }

    /// <summary>Live children (a snapshot).</summary>
    IReadOnlyCollection<IActorRef> Children { get; }

    /// <summary>The system the actor lives in.</summary>
    ActorSystem System { get; }

    /// <summary>The props this actor was created from.</summary>
    Props Props { get; }

    /// <summary>The child with this name, or <see cref="ActorRefs.Nobody"/>.</summary>
    IActorRef Child(string name);

    /// <summary>Stops <paramref name="actor"/> (this actor or a child) after its current message; its children first.</summary>
    void Stop(IActorRef actor);

    /// <summary>Delivers <see cref="Terminated"/> when <paramref name="actor"/> stops (at once if it is already dead).</summary>
    IActorRef Watch(IActorRef actor);

    /// <summary>Stops watching; no <see cref="Terminated"/> for it is delivered afterwards.</summary>
    IActorRef Unwatch(IActorRef actor);

    /// <summary>Replaces the current behavior.</summary>
    void Become(Receive receive);

    /// <summary>Pushes a behavior; <see cref="Unbecome"/> returns to the one below.</summary>
    void BecomeStacked(Receive receive);

    /// <summary>Pops the behavior pushed by <see cref="BecomeStacked"/> (no-op at the bottom).</summary>
    void Unbecome();

    /// <summary>A logger whose events go to the system's event stream (and from there to the configured sink).</summary>
    ILoggingAdapter GetLogger();
}
