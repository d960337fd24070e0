namespace Autopilot.Actors;

/// <summary>
/// Base of every actor. Create actors through <see cref="Props"/> and <c>ActorOf</c>, never with <c>new</c>: the
/// runtime owns construction so it can restart an actor with a fresh instance behind the same reference.
/// </summary>
public abstract class ActorBase
{
    private readonly ActorCell _cell;

    /// <summary>Binds the instance to the cell that is constructing it.</summary>
    /// <exception cref="InvalidOperationException">The actor was created with <c>new</c> instead of <c>ActorOf</c>.</exception>
    protected ActorBase()
    {
        var cell = ActorCell.Current;
        if (cell is null || !cell.IsConstructing)
        {
            throw new InvalidOperationException($"{GetType().Name} must be created with ActorOf(Props), not with 'new'.");
        }

        _cell = cell;
        if (this is IWithStash withStash)
        {
            withStash.Stash = _cell;
        }

        if (this is IWithTimers withTimers)
        {
            withTimers.Timers = _cell.Timers;
        }
    }

    /// <summary>The actor's view of the runtime.</summary>
    protected IActorContext Context => _cell;

    /// <summary>This actor.</summary>
    protected IActorRef Self => _cell.Self;

    /// <summary>Sender of the message being processed.</summary>
    protected IActorRef Sender => _cell.Sender;

    internal ActorCell Cell => _cell;

    /// <summary>Handles a message; false means unhandled.</summary>
    protected internal abstract bool Receive(object message);

    /// <summary>Called when a message was not handled: a <see cref="Terminated"/> becomes a <see cref="DeathPactException"/>, anything else an <see cref="Event.UnhandledMessage"/> on the event stream.</summary>
    protected internal virtual void Unhandled(object message)
    {
        if (message is Terminated terminated)
        {
            throw new DeathPactException(terminated.ActorRef);
        }

        _cell.System.EventStream.Publish(new Event.UnhandledMessage(message, Sender, Self));
    }

    /// <summary>How this actor supervises its children; Akka's default unless overridden (or set in Props).</summary>
    protected internal virtual SupervisorStrategy SupervisorStrategy() => Actors.SupervisorStrategy.Default;

    /// <summary>After construction, before the first message.</summary>
    protected virtual void PreStart()
    {
    }

    /// <summary>After the actor stopped (its children have stopped already).</summary>
    protected virtual void PostStop()
    {
    }

    /// <summary>
    /// On the failed instance before a restart. By default stops all children and calls <see cref="PostStop"/>; the
    /// new instance is created once the children have terminated.
    /// </summary>
    protected virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var child in Context.Children)
        {
            Context.Unwatch(child);
            Context.Stop(child);
        }

        PostStop();
    }

    /// <summary>On the fresh instance after a restart; calls <see cref="PreStart"/> by default.</summary>
    protected virtual void PostRestart(Exception reason) => PreStart();

    internal virtual void AroundPreStart() => PreStart();

    internal virtual void AroundPostStop() => PostStop();

    internal virtual void AroundPreRestart(Exception reason, object? message) => PreRestart(reason, message);

    internal virtual void AroundPostRestart(Exception reason) => PostRestart(reason);

    /// <summary>
    /// Runs after each continuation of an async handler, on the mailbox, while that handler's message is current: what
    /// a synchronous handler's caller does once the handler returns (a persistent actor sends what the step persisted).
    /// </summary>
    internal virtual void AfterAsyncStep()
    {
    }
}
