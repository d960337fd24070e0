namespace Autopilot.Actors;

/// <summary>
/// Keeps one child alive with growing pauses between restarts, so a child that fails because something outside is
/// down (a database, a platform) does not hammer it. Messages sent to the supervisor are forwarded to the child.
/// </summary>
public sealed class BackoffSupervisor : ActorBase, IWithTimers
{
    private readonly BackoffOptions _options;
    private IActorRef? _child;
    private int _restartCount;
    private bool _restartOnTermination;
    private long _incarnation;

    private BackoffSupervisor(BackoffOptions options)
    {
        _options = options;
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of a backoff supervisor for <paramref name="options"/>.</summary>
    public static Props Props(BackoffOptions options) => Actors.Props.Create(() => new BackoffSupervisor(options));

    /// <summary>Asks for the current child (<see cref="CurrentChild"/>).</summary>
    public sealed record GetCurrentChild
    {
        /// <summary>The only instance.</summary>
        public static GetCurrentChild Instance { get; } = new();
    }

    /// <summary>The current child, or null while it is down.</summary>
    public sealed record CurrentChild(IActorRef? Ref);

    /// <summary>Asks for the restart count (<see cref="RestartCount"/>).</summary>
    public sealed record GetRestartCount
    {
        /// <summary>The only instance.</summary>
        public static GetRestartCount Instance { get; } = new();
    }

    /// <summary>Restarts since the last reset.</summary>
    public sealed record RestartCount(int Count);

    /// <summary>Resets the backoff to its minimum.</summary>
    public sealed record Reset
    {
        /// <summary>The only instance.</summary>
        public static Reset Instance { get; } = new();
    }

    private sealed record StartChild;

    private sealed record ResetIfStable(long Incarnation);

    /// <summary>
    /// Akka's default decider, except that a persistent actor's journal failure restarts it (after the backoff):
    /// the combination that leaves persistent actors dead for good in Akka.NET, where the failure is a quiet stop.
    /// </summary>
    public static Directive DefaultDecider(Exception cause) =>
        cause is Persistence.PersistenceFailureException ? Directive.Restart : Actors.SupervisorStrategy.DefaultDecider(cause);

    /// <inheritdoc />
    protected override void PreStart() => Start();

    /// <inheritdoc />
    protected internal override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(cause =>
    {
        var directive = (_options.Decider ?? DefaultDecider)(cause);
        if (directive == Directive.Restart)
        {
            // The restart happens after the backoff: stop now, start again when the delay is over.
            _restartOnTermination = true;
            return Directive.Stop;
        }

        return directive;
    });

    /// <inheritdoc />
    protected internal override bool Receive(object message)
    {
        switch (message)
        {
            case Terminated terminated when terminated.ActorRef.Equals(_child):
                _child = null;
                var restart = _options.Mode == BackoffMode.OnStop || _restartOnTermination;
                _restartOnTermination = false;
                if (!restart || (_options.MaxNrOfRetries >= 0 && _restartCount >= _options.MaxNrOfRetries))
                {
                    Context.Stop(Self);
                    return true;
                }

                var delay = _options.DelayFor(_restartCount, Random.Shared.NextDouble());
                _restartCount++;
                Timers.StartSingleTimer("start-child", new StartChild(), delay);
                return true;
            case StartChild:
                if (_child is null)
                {
                    Start();
                }

                return true;
            case ResetIfStable stable:
                if (stable.Incarnation == _incarnation && _child is not null)
                {
                    _restartCount = 0;
                }

                return true;
            case GetCurrentChild:
                Sender.Tell(new CurrentChild(_child), Self);
                return true;
            case GetRestartCount:
                Sender.Tell(new RestartCount(_restartCount), Self);
                return true;
            case Reset:
                _restartCount = 0;
                return true;
            default:
                (_child ?? Context.System.DeadLetters).Forward(message);
                return true;
        }
    }

    private void Start()
    {
        _child = Context.Watch(Context.ActorOf(_options.ChildProps, _options.ChildName));
        _incarnation++;
        Timers.StartSingleTimer("reset-if-stable", new ResetIfStable(_incarnation), _options.ResetBackoffAfter ?? _options.MinBackoff);
    }
}
