namespace Autopilot.Actors.Dispatch;

/// <summary>
/// Runtime signals that overtake user messages: lifecycle, supervision and death watch. Never seen by actor code.
/// </summary>
internal abstract record SystemMessage;

/// <summary>Construct the actor instance (first message of every actor).</summary>
internal sealed record CreateActor : SystemMessage
{
    public static CreateActor Instance { get; } = new();
}

/// <summary>Stop the actor (and first its children).</summary>
internal sealed record TerminateActor : SystemMessage
{
    public static TerminateActor Instance { get; } = new();
}

/// <summary>Restart with a fresh instance after <paramref name="Cause"/>.</summary>
internal sealed record Recreate(Exception Cause) : SystemMessage;

/// <summary>Continue processing user messages (the supervisor chose Resume).</summary>
internal sealed record Resume(Exception? CausedByFailure) : SystemMessage;

/// <summary>A child failed: its supervisor (the receiver) decides.</summary>
internal sealed record Failed(ActorRefBase Child, Exception Cause, long Uid) : SystemMessage;

/// <summary>A child finished terminating; its name is free again.</summary>
internal sealed record ChildTerminated(ActorRefBase Child) : SystemMessage;

/// <summary><paramref name="Watcher"/> wants a <see cref="Terminated"/> when <paramref name="Watchee"/> stops.</summary>
internal sealed record Watch(ActorRefBase Watchee, ActorRefBase Watcher) : SystemMessage;

/// <summary>Undo a <see cref="Watch"/>.</summary>
internal sealed record Unwatch(ActorRefBase Watchee, ActorRefBase Watcher) : SystemMessage;

/// <summary>A watched actor terminated (or was already dead).</summary>
internal sealed record DeathWatchNotification(ActorRefBase Actor, bool ExistenceConfirmed) : SystemMessage;

/// <summary>A continuation of an async handler, run on the actor's mailbox so it never races other messages.</summary>
internal sealed record RunContinuation(SendOrPostCallback Callback, object? State) : SystemMessage;

/// <summary>An async handler finished; user messages may flow again.</summary>
internal sealed record AsyncHandlerCompleted(Task Task) : SystemMessage;
