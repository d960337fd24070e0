using Autopilot.Actors.Dispatch;
using Autopilot.Actors.Event;
using Microsoft.Extensions.Logging;

namespace Autopilot.Actors;

/// <summary>The local actor system: guardians, dead letters, futures, scheduler, event stream, shutdown.</summary>
internal sealed class ActorSystemImpl : ActorSystem
{
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ActorPath _root;
    private readonly ActorPath _tempPath;
    private readonly ActorCell _userGuardian;
    private readonly ActorCell _systemGuardian;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Type, object> _extensions = new();
    private long _uid;
    private long _futures;
    private int _terminating;

    public ActorSystemImpl(string name, ActorSystemSettings settings, ActorSystemSetup setup)
    {
        Name = ActorName.Validate(name);
        Settings = settings;
        Scheduler = new TimeProviderScheduler(setup.TimeProvider ?? TimeProvider.System);
        EventStream = new EventStream();
        _root = ActorPath.Root(Name);
        _tempPath = _root.Child("temp");
        DeadLetters = new DeadLetterActorRef(this, _root.Child("deadLetters"));
        Log = new LoggingAdapter(EventStream, Name, typeof(ActorSystem), settings.LogLevel);
        var rootSupervisor = new RootSupervisor(this, _root);
        _systemGuardian = new ActorCell(this, Props.Create<GuardianActor>().WithSupervisorStrategy(SupervisorStrategy.Default), _root.Child("system", NextUid()), rootSupervisor);
        _userGuardian = new ActorCell(this, Props.Create<GuardianActor>().WithSupervisorStrategy(settings.GuardianStrategy), _root.Child("user", NextUid()), rootSupervisor);
        _systemGuardian.Mailbox.PostSystem(CreateActor.Instance);
        _userGuardian.Mailbox.PostSystem(CreateActor.Instance);
        EventStream.Subscribe(new LogSink(_root.Child("system").Child("log"), setup.LoggerFactory, settings.StdoutLogLevel), typeof(LogEvent));
        CoordinatedShutdown = new CoordinatedShutdown(this, settings.Shutdown);
    }

    public override string Name { get; }

    public override ActorSystemSettings Settings { get; }

    public override EventStream EventStream { get; }

    public override IScheduler Scheduler { get; }

    public override IActorRef DeadLetters { get; }

    public override ILoggingAdapter Log { get; }

    public override Task WhenTerminated => _terminated.Task;

    public CoordinatedShutdown CoordinatedShutdown { get; }

    public bool IsTerminated => _terminated.Task.IsCompleted;

    /// <summary>The <c>/user</c> guardian, root of the application's actors (for diagnostics such as the actor tree).</summary>
    public ActorCell UserGuardian => _userGuardian;

    /// <summary>The <c>/system</c> guardian, parent of the runtime's own actors.</summary>
    public ActorCell SystemGuardian => _systemGuardian;

    public override IActorRef ActorOf(Props props, string? name = null) => _userGuardian.ActorOf(props, name);

    public override IActorRef SystemActorOf(Props props, string? name = null) => _systemGuardian.ActorOf(props, name);

    public override void Stop(IActorRef actor)
    {
        if (actor is LocalActorRef { Cell.ParentRef: LocalActorRef parent })
        {
            parent.Cell.Stop(actor); // through the parent, so the name stays reserved until the actor is gone
        }
        else if (actor is ActorRefBase other)
        {
            other.SendSystemMessage(TerminateActor.Instance);
        }
    }

    public override T RegisterExtension<T>(T extension) =>
        _extensions.TryAdd(typeof(T), extension)
            ? extension
            : throw new InvalidOperationException($"An extension of type {typeof(T).Name} is already registered in actor system '{Name}'.");

    public override T? GetExtension<T>()
        where T : class => _extensions.TryGetValue(typeof(T), out var extension) ? (T)extension : null;

    public long NextUid() => Interlocked.Increment(ref _uid);

    public FutureActorRef NewFuture() => new(_tempPath.Child("$" + Interlocked.Increment(ref _futures), NextUid()));

    /// <summary>
    /// Publishes an undeliverable message. Bus traffic itself (dead letters, log events) is dropped to avoid loops, and
    /// an ask whose recipient is gone fails at once instead of waiting for its timeout.
    /// </summary>
    public void DeadLetter(object message, IActorRef sender, IActorRef recipient, string? reason = null)
    {
        if (message is Event.DeadLetter or LogEvent or UnhandledMessage)
        {
            return;
        }

        if (sender is FutureActorRef future)
        {
            future.Fail(new AskTimeoutException($"Ask to {recipient.Path} failed: {reason ?? "the recipient is terminated"} (message of type [{message.GetType().FullName}])."));
        }

        EventStream.Publish(new Event.DeadLetter(message, sender, recipient, reason));
    }

    /// <summary>The last step of shutdown: stops <c>/user</c>, then <c>/system</c>, then completes <see cref="WhenTerminated"/>.</summary>
    public Task FinalTerminate()
    {
        if (Interlocked.Exchange(ref _terminating, 1) == 0)
        {
            _userGuardian.Self.SendSystemMessage(TerminateActor.Instance);
        }

        return WhenTerminated;
    }

    private void GuardianTerminated(ActorRefBase guardian)
    {
        if (ReferenceEquals(guardian, _userGuardian.Self))
        {
            _systemGuardian.Self.SendSystemMessage(TerminateActor.Instance);
        }
        else if (ReferenceEquals(guardian, _systemGuardian.Self))
        {
            _terminated.TrySetResult();
        }
    }

    /// <summary>The top of the hierarchy: guardians report here; a failing guardian is logged and stopped.</summary>
    private sealed class RootSupervisor(ActorSystemImpl system, ActorPath path) : ActorRefBase
    {
        public override ActorPath Path { get; } = path;

        public override void Tell(object message, IActorRef? sender = null) => system.DeadLetter(message, ImplicitSender(sender), this);

        internal override void SendSystemMessage(SystemMessage message)
        {
            switch (message)
            {
                case Failed failed:
                    system.EventStream.Publish(new Error(failed.Cause, failed.Child.Path.ToString(), typeof(ActorSystem), $"Guardian failed and is stopped: {failed.Cause.Message}"));
                    failed.Child.SendSystemMessage(TerminateActor.Instance);
                    break;
                case ChildTerminated terminated:
                    system.GuardianTerminated(terminated.Child);
                    break;
            }
        }

        internal override ActorSystemImpl OwningSystem => system;
    }

    /// <summary><c>/user</c> and <c>/system</c>: they only supervise.</summary>
    private sealed class GuardianActor : ActorBase
    {
        protected internal override bool Receive(object message) => false;

        protected internal override void Unhandled(object message)
        {
        }
    }

    /// <summary>
    /// Writes log events to the host's logger factory, or to the console when there is none. A minimal reference that
    /// writes on the publishing thread rather than an actor: logging must keep working while the actors stop (the
    /// last phases of shutdown are when its output matters most), and loggers are thread-safe.
    /// </summary>
    private sealed class LogSink(ActorPath path, ILoggerFactory? factory, Event.LogLevel stdoutLevel) : ActorRefBase
    {
        public override ActorPath Path { get; } = path;

        public override void Tell(object message, IActorRef? sender = null)
        {
            if (message is not LogEvent logEvent)
            {
                return;
            }

            if (factory is not null)
            {
                var logger = factory.CreateLogger(logEvent.LogClass.FullName ?? logEvent.LogSource);
                logger.Log(ToMicrosoft(logEvent.Level), logEvent.Cause, "[{LogSource}] {Message}", logEvent.LogSource, logEvent.Message);
            }
            else if (logEvent.Level >= stdoutLevel && stdoutLevel != Event.LogLevel.Off)
            {
                Console.Error.WriteLine($"{logEvent.Timestamp:O} {logEvent}");
            }
        }

        internal override void SendSystemMessage(SystemMessage message)
        {
        }

        private static Microsoft.Extensions.Logging.LogLevel ToMicrosoft(Event.LogLevel level) => level switch
        {
            Event.LogLevel.Debug => Microsoft.Extensions.Logging.LogLevel.Debug,
            Event.LogLevel.Info => Microsoft.Extensions.Logging.LogLevel.Information,
            Event.LogLevel.Warning => Microsoft.Extensions.Logging.LogLevel.Warning,
            _ => Microsoft.Extensions.Logging.LogLevel.Error,
        };
    }
}
