using Autopilot.Actors.Dispatch;
using Autopilot.Actors.Event;

namespace Autopilot.Actors;

/// <summary>
/// The runtime side of one actor: its mailbox, current instance, behavior, children, watchers, stash and timers.
/// All mutable state here is touched only by the mailbox's single running consumer, except the children map
/// (guarded, because the system creates top-level actors from any thread) and the termination flag (guarded,
/// because a late <c>Watch</c> must either be queued or answered at once).
/// </summary>
internal sealed partial class ActorCell : IActorContext
{
    /// <summary>
    /// The cell whose mailbox runs on this thread: gives <c>Tell</c> its implicit sender and lets an actor's
    /// constructor reach its context. Thread-local ambient context (as in Akka.NET), never shared state.
    /// </summary>
    [ThreadStatic]
    internal static ActorCell? Current;

    /// <summary>Guards the children map and the termination flag (both rarely contended, so one lock serves).</summary>
    private readonly object _lock = new();

    private ActorBase? _actor;
    private Envelope _current;
    private Receive? _behavior;
    private List<Receive>? _behaviorStack;
    private SupervisorStrategy? _strategy;
    private ILoggingAdapter? _log;

    public ActorCell(ActorSystemImpl system, Props props, ActorPath path, ActorRefBase parent)
    {
        System = system;
        Props = props;
        ParentRef = parent;
        Self = new LocalActorRef(this, path);
        Mailbox = new Mailbox(this, props.Mailbox ?? system.Settings.DefaultMailbox, system.Settings.Throughput);
    }

    public ActorSystemImpl System { get; }

    public LocalActorRef Self { get; }

    public ActorRefBase ParentRef { get; }

    public Mailbox Mailbox { get; }

    public Props Props { get; }

    /// <summary>The current actor instance, for diagnostics (the actor tree in the CLI).</summary>
    public ActorBase? Actor => _actor;

    /// <summary>How often this actor has been restarted, for diagnostics.</summary>
    public int RestartCount { get; private set; }

    IActorRef IActorContext.Self => Self;

    IActorRef IActorContext.Parent => ParentRef;

    ActorSystem IActorContext.System => System;

    public IActorRef Sender => _current.Sender is Nobody or null ? System.DeadLetters : _current.Sender;

    /// <summary>The message being processed (null between messages).</summary>
    public object? CurrentMessage => _current.Message;

    internal Envelope CurrentEnvelope => _current;

    /// <summary>Lets a persistent actor run a handler with the sender of the command it belongs to.</summary>
    internal void SetCurrentEnvelope(in Envelope envelope) => _current = envelope;

    public bool CanProcessUserMessages =>
        _actor is not null && !_awaitingSupervisor && !_asyncPending && !_terminating && _pendingRecreate is null;

    public void Become(Receive receive)
    {
        _behavior = receive;
        _behaviorStack?.Clear();
    }

    public void BecomeStacked(Receive receive)
    {
        (_behaviorStack ??= new List<Receive>()).Add(_behavior!);
        _behavior = receive;
    }

    public void Unbecome()
    {
        if (_behaviorStack is { Count: > 0 })
        {
            _behavior = _behaviorStack[^1];
            _behaviorStack.RemoveAt(_behaviorStack.Count - 1);
        }
    }

    public ILoggingAdapter GetLogger() => _log ??= new LoggingAdapter(System.EventStream, Self.Path.ToString(), _actor?.GetType() ?? typeof(ActorCell), System.Settings.LogLevel);

    /// <summary>Processes one user message.</summary>
    public void Invoke(in Envelope envelope)
    {
        _current = envelope;
        try
        {
            var message = envelope.Message;
            switch (message)
            {
                case TimerMessage timer:
                    if (_timers is null || !_timers.Accept(timer))
                    {
                        return;
                    }

                    message = timer.Message;
                    _current = envelope with { Message = message };
                    break;
                case WatchedTerminated watched:
                    if (_terminatedQueued is null || !_terminatedQueued.Remove(watched.Terminated.ActorRef))
                    {
                        return; // unwatched after the notification was queued
                    }

                    message = watched.Terminated;
                    _current = envelope with { Message = message };
                    break;
                case PoisonPill:
                    Stop(Self);
                    return;
                case Kill:
                    throw new ActorKilledException("Kill");
            }

            if (!_behavior!(message))
            {
                _actor!.Unhandled(message);
            }
        }
        catch (Exception exception)
        {
            HandleInvokeFailure(exception);
        }
        finally
        {
            if (!_asyncPending)
            {
                _current = default;
            }
        }
    }

    /// <summary>Processes one runtime signal.</summary>
    public void SystemInvoke(SystemMessage message)
    {
        try
        {
            switch (message)
            {
                case CreateActor:
                    CreateInstance();
                    break;
                case TerminateActor:
                    BeginTerminate();
                    break;
                case Recreate recreate:
                    BeginRecreate(recreate.Cause);
                    break;
                case Resume:
                    _awaitingSupervisor = false;
                    break;
                case Failed failed:
                    HandleChildFailure(failed);
                    break;
                case ChildTerminated childTerminated:
                    HandleChildTerminated(childTerminated.Child);
                    break;
                case Watch watch:
                    AddWatcher(watch);
                    break;
                case Unwatch unwatch:
                    RemoveWatcher(unwatch);
                    break;
                case DeathWatchNotification notification:
                    WatchedActorTerminated(notification);
                    break;
                case RunContinuation continuation:
                    RunAsyncContinuation(continuation);
                    break;
                case AsyncHandlerCompleted completed:
                    CompleteAsyncHandler(completed.Task);
                    break;
            }
        }
        catch (Exception exception)
        {
            HandleInvokeFailure(exception);
        }
    }

    private void CreateInstance()
    {
        try
        {
            _actor = NewActor();
            _actor.AroundPreStart();
        }
        catch (Exception exception)
        {
            HandleInvokeFailure(exception is ActorInitializationException ? exception : new ActorInitializationException(Self, $"Exception during creation of {Self.Path}: {exception.Message}", exception));
        }
    }

    private ActorBase NewActor()
    {
        _behaviorStack?.Clear();
        _strategy = null;
        var previous = Current;
        Current = this;
        IsConstructing = true;
        try
        {
            var actor = Props.NewActor();
            _behavior = actor.Receive;
            return actor;
        }
        finally
        {
            IsConstructing = false;
            Current = previous;
        }
    }

    /// <summary>True only while this cell runs an actor constructor (so <see cref="ActorBase"/> can refuse <c>new</c>).</summary>
    internal bool IsConstructing { get; private set; }

    internal SupervisorStrategy SupervisorStrategy => _strategy ??= Props.SupervisorStrategy ?? _actor?.SupervisorStrategy() ?? Autopilot.Actors.SupervisorStrategy.Default;

    public override string ToString() => $"ActorCell({Self.Path})";
}
