using Autopilot.Actors.Event;

namespace Autopilot.Actors;

/// <summary>
/// A finite-state machine actor in the manner of Akka.NET's <c>FSM&lt;TState, TData&gt;</c>: declare the states with
/// <see cref="When"/>, start with <see cref="StartWith"/>, call <see cref="Initialize"/>, and return
/// <see cref="GoTo"/> / <see cref="Stay"/> / <see cref="Stop()"/> from the state functions. State timeouts go through the
/// system scheduler (so virtual time drives them in tests).
/// </summary>
public abstract class FSM<TState, TData> : ActorBase
    where TState : notnull
{
    /// <summary>A state's handler.</summary>
    public delegate FsmState<TState, TData>? StateFunction(Event<TData> fsmEvent);

    /// <summary>Runs on every transition (not on Stay).</summary>
    public delegate void TransitionHandler(TState from, TState to);

    private readonly Dictionary<TState, StateFunction> _states = new();
    private readonly Dictionary<TState, TimeSpan?> _stateTimeouts = new();
    private readonly List<TransitionHandler> _transitionHandlers = [];
    private readonly List<IActorRef> _subscribers = [];
    private StateFunction? _unhandled;
    private Action<StopEvent<TState, TData>>? _onTermination;
    private FsmState<TState, TData>? _current;
    private ICancelable? _timeoutTask;
    private int _timeoutGeneration;
    private FsmReason? _stopReason;

    /// <summary>The current state.</summary>
    protected TState StateName => (_current ?? throw new InvalidOperationException("StartWith was not called.")).StateName;

    /// <summary>The current state data.</summary>
    protected TData StateData => _current!.StateData;

    /// <summary>During a transition handler: the data of the state being entered.</summary>
    protected TData NextStateData { get; private set; } = default!;

    /// <summary>Sets the initial state (and data, and optional timeout).</summary>
    protected void StartWith(TState state, TData data, TimeSpan? timeout = null) => _current = new FsmState<TState, TData>(state, data, timeout);

    /// <summary>Declares the handler of <paramref name="state"/> and its default timeout.</summary>
    protected void When(TState state, StateFunction function, TimeSpan? timeout = null)
    {
        _states[state] = function;
        _stateTimeouts[state] = timeout;
    }

    /// <summary>Handles what no state function handled (return null to leave it unhandled).</summary>
    protected void WhenUnhandled(StateFunction function) => _unhandled = function;

    /// <summary>Registers a handler run on every transition.</summary>
    protected void OnTransition(TransitionHandler handler) => _transitionHandlers.Add(handler);

    /// <summary>Registers a handler run when the FSM stops.</summary>
    protected void OnTermination(Action<StopEvent<TState, TData>> handler) => _onTermination = handler;

    /// <summary>Enters the initial state (starting its timeout). Call at the end of the constructor.</summary>
    protected void Initialize()
    {
        if (_current is null)
        {
            throw new InvalidOperationException("Call StartWith before Initialize.");
        }

        ScheduleTimeout(_current);
    }

    /// <summary>Moves to <paramref name="nextState"/>, keeping the data unless <c>Using</c> changes it.</summary>
    protected FsmState<TState, TData> GoTo(TState nextState) => new(nextState, _current!.StateData);

    /// <summary>Stays in the current state (no transition handlers run; the state timeout restarts).</summary>
    protected FsmState<TState, TData> Stay() => _current! with { Timeout = null, Replies = [], IsStay = true };

    /// <summary>Stops the FSM normally.</summary>
    protected FsmState<TState, TData> Stop() => Stop(new FsmReason.Normal());

    /// <summary>Stops the FSM with a reason.</summary>
    protected FsmState<TState, TData> Stop(FsmReason reason) => _current! with { StopReason = reason, Replies = [], IsStay = true };

    /// <inheritdoc />
    protected internal sealed override bool Receive(object message)
    {
        switch (message)
        {
            case TimeoutMarker marker:
                if (marker.Generation != _timeoutGeneration)
                {
                    return true; // superseded by a later message or transition
                }

                message = StateTimeout.Instance;
                break;
            case SubscribeTransitionCallBack subscribe:
                _subscribers.Add(subscribe.ActorRef);
                subscribe.ActorRef.Tell(new CurrentState<TState>(Self, StateName), Self);
                return true;
            case UnsubscribeTransitionCallBack unsubscribe:
                _subscribers.Remove(unsubscribe.ActorRef);
                return true;
        }

        CancelTimeout();
        var fsmEvent = new Event<TData>(message, StateData);
        var next = (_states.TryGetValue(StateName, out var function) ? function(fsmEvent) : null) ?? _unhandled?.Invoke(fsmEvent);
        if (next is null)
        {
            Context.GetLogger().Warning($"Unhandled event {message.GetType().Name} in state {StateName}.");
            ScheduleTimeout(_current!);
            return true;
        }

        Apply(next);
        return true;
    }

    private void Apply(FsmState<TState, TData> next)
    {
        foreach (var reply in next.Replies)
        {
            Sender.Tell(reply, Self);
        }

        if (next.StopReason is { } reason)
        {
            _stopReason = reason;
            _current = next;
            Context.Stop(Self);
            return;
        }

        if (!_states.ContainsKey(next.StateName))
        {
            throw new InvalidOperationException($"Transition to unknown state {next.StateName}: declare it with When.");
        }

        var previous = _current!;
        if (!next.IsStay)
        {
            NextStateData = next.StateData;
            foreach (var handler in _transitionHandlers)
            {
                handler(previous.StateName, next.StateName);
            }

            foreach (var subscriber in _subscribers)
            {
                subscriber.Tell(new Transition<TState>(Self, previous.StateName, next.StateName), Self);
            }
        }

        _current = next with { IsStay = false, Replies = [] };
        ScheduleTimeout(next);
    }

    private void ScheduleTimeout(FsmState<TState, TData> state)
    {
        var timeout = state.Timeout ?? (_stateTimeouts.TryGetValue(state.StateName, out var t) ? t : null);
        var generation = ++_timeoutGeneration;
        if (timeout is { } delay && delay != Timeout.InfiniteTimeSpan)
        {
            _timeoutTask = Context.System.Scheduler.ScheduleTellOnce(delay, Self, new TimeoutMarker(generation), Self);
        }
    }

    private void CancelTimeout()
    {
        _timeoutTask?.Cancel();
        _timeoutTask = null;
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        CancelTimeout();
        if (_current is not null)
        {
            _onTermination?.Invoke(new StopEvent<TState, TData>(_stopReason ?? new FsmReason.Shutdown(), _current.StateName, _current.StateData));
        }

        base.PostStop();
    }

    /// <summary>A scheduled state timeout, tagged so a stale one is ignored.</summary>
    private sealed record TimeoutMarker(int Generation);
}
