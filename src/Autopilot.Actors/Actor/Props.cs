using Autopilot.Actors.Dispatch;

namespace Autopilot.Actors;

/// <summary>
/// The recipe for an actor: how to build an instance (again, on every restart), its mailbox, and optionally the
/// strategy it supervises its children with. Immutable; share freely.
/// </summary>
public sealed class Props
{
    private readonly Func<ActorBase> _factory;

    private Props(Type actorType, Func<ActorBase> factory, MailboxSettings? mailbox, SupervisorStrategy? strategy)
    {
        ActorType = actorType;
        _factory = factory;
        Mailbox = mailbox;
        SupervisorStrategy = strategy;
    }

    /// <summary>The actor's type.</summary>
    public Type ActorType { get; }

    /// <summary>The mailbox, or null for the system default.</summary>
    public MailboxSettings? Mailbox { get; }

    /// <summary>The strategy for the actor's children, overriding the actor's own; null to use the actor's.</summary>
    public SupervisorStrategy? SupervisorStrategy { get; }

    /// <summary>An actor built with its parameterless constructor.</summary>
    public static Props Create<TActor>()
        where TActor : ActorBase, new() => new(typeof(TActor), static () => new TActor(), null, null);

    /// <summary>An actor built by <paramref name="factory"/>, which must return a new instance on every call.</summary>
    public static Props Create<TActor>(Func<TActor> factory)
        where TActor : ActorBase => new(typeof(TActor), factory, null, null);

    /// <summary>An actor of <paramref name="actorType"/> built with the constructor matching <paramref name="args"/>.</summary>
    public static Props Create(Type actorType, params object?[] args)
    {
        if (!typeof(ActorBase).IsAssignableFrom(actorType))
        {
            throw new ArgumentException($"{actorType.FullName} is not an actor (it does not derive from ActorBase).", nameof(actorType));
        }

        return new Props(actorType, () => (ActorBase)Activator.CreateInstance(actorType, args)!, null, null);
    }

    /// <summary>The same recipe with another mailbox.</summary>
    public Props WithMailbox(MailboxSettings mailbox) => new(ActorType, _factory, mailbox, SupervisorStrategy);

    /// <summary>The same recipe with a strategy for the actor's children.</summary>
    public Props WithSupervisorStrategy(SupervisorStrategy strategy) => new(ActorType, _factory, Mailbox, strategy);

    internal ActorBase NewActor() => _factory();
}
