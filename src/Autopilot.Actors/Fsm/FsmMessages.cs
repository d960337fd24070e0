namespace Autopilot.Actors;

/// <summary>Delivered to a state function when the state's timeout elapses with no other message in between.</summary>
public sealed class StateTimeout
{
    /// <summary>The only instance.</summary>
    public static StateTimeout Instance { get; } = new();

    private StateTimeout()
    {
    }
}

/// <summary>What a state function sees: the message and the current state data.</summary>
public sealed record Event<TData>(object FsmEvent, TData StateData);

/// <summary>Asks an FSM to send <see cref="CurrentState{TState}"/> now and a <see cref="Transition{TState}"/> on every change.</summary>
public sealed record SubscribeTransitionCallBack(IActorRef ActorRef);

/// <summary>Stops the transition notifications of <see cref="SubscribeTransitionCallBack"/>.</summary>
public sealed record UnsubscribeTransitionCallBack(IActorRef ActorRef);

/// <summary>The FSM's state when a subscriber registered.</summary>
public sealed record CurrentState<TState>(IActorRef FsmRef, TState State);

/// <summary>The FSM moved from <paramref name="From"/> to <paramref name="To"/>.</summary>
public sealed record Transition<TState>(IActorRef FsmRef, TState From, TState To);

/// <summary>Why an FSM stopped.</summary>
public abstract record FsmReason
{
    /// <summary>Stopped on purpose.</summary>
    public sealed record Normal : FsmReason;

    /// <summary>Stopped from outside (the actor was stopped).</summary>
    public sealed record Shutdown : FsmReason;

    /// <summary>Stopped because of an error.</summary>
    public sealed record Failure(object Cause) : FsmReason;
}

/// <summary>Passed to <c>OnTermination</c> handlers.</summary>
public sealed record StopEvent<TState, TData>(FsmReason Reason, TState TerminatedState, TData StateData);
