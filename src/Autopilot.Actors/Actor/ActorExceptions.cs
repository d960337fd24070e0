namespace Autopilot.Actors;

/// <summary>An actor's constructor or <c>PreStart</c> threw; the default strategy stops such an actor.</summary>
public sealed class ActorInitializationException(IActorRef? actor, string message, Exception? inner)
    : Exception(message, inner)
{
    /// <summary>The actor that failed to start.</summary>
    public IActorRef? Actor { get; } = actor;
}

/// <summary>Thrown inside an actor that received <see cref="Kill"/>; the default strategy stops it.</summary>
public sealed class ActorKilledException(string message) : Exception(message);

/// <summary>
/// An actor did not handle the <see cref="Terminated"/> of an actor it watched: it had a pact to die with it.
/// The default strategy stops it.
/// </summary>
public sealed class DeathPactException(IActorRef deadActor)
    : Exception($"Monitored actor {deadActor} terminated and the watcher did not handle Terminated.")
{
    /// <summary>The watched actor that terminated.</summary>
    public IActorRef DeadActor { get; } = deadActor;
}

/// <summary>A name that cannot be an actor's: empty, reserved, taken by a sibling, or with characters not allowed in a path.</summary>
public sealed class InvalidActorNameException(string message) : Exception(message);

/// <summary>An <c>Ask</c> got no answer in time, or its recipient was already dead.</summary>
public sealed class AskTimeoutException(string message) : TimeoutException(message);

/// <summary>A bounded mailbox was full and its overflow policy is to refuse the message to the sender.</summary>
public sealed class MailboxFullException(string message) : Exception(message);

/// <summary>The actor system was asked to do something after it terminated.</summary>
public sealed class ActorSystemTerminatedException(string message) : InvalidOperationException(message);
