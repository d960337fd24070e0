namespace Autopilot.Actors;

/// <summary>
/// Stops the actor once it is processed: messages queued before it are handled first, later ones go to dead letters.
/// </summary>
public sealed class PoisonPill
{
    /// <summary>The only instance.</summary>
    public static PoisonPill Instance { get; } = new();

    private PoisonPill()
    {
    }
}

/// <summary>Makes the actor throw <see cref="ActorKilledException"/> when processed, handing it to its supervisor.</summary>
public sealed class Kill
{
    /// <summary>The only instance.</summary>
    public static Kill Instance { get; } = new();

    private Kill()
    {
    }
}

/// <summary>
/// Tells a watcher that an actor it watches has terminated. Delivered once per watch, also when the actor was
/// already dead when the watch began (<see cref="ExistenceConfirmed"/> false then).
/// </summary>
/// <param name="ActorRef">The actor that terminated.</param>
/// <param name="ExistenceConfirmed">Whether the actor was known to exist when the watch began.</param>
public sealed record Terminated(IActorRef ActorRef, bool ExistenceConfirmed = true);

/// <summary>Reply conventions shared with Akka.NET: a failure travels back to an <c>Ask</c> as an exception.</summary>
public static class Status
{
    /// <summary>A successful reply carrying a value.</summary>
    public sealed record Success(object? Value);

    /// <summary>A failed reply; <c>Ask</c> rethrows <see cref="Cause"/>.</summary>
    public sealed record Failure(Exception Cause);
}
