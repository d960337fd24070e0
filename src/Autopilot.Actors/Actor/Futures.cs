namespace Autopilot.Actors;

/// <summary>Request/response from outside actors (and, sparingly, between them).</summary>
public static class Futures
{
    /// <summary>
    /// Sends <paramref name="message"/> and awaits the first reply. A <see cref="Status.Failure"/> reply is rethrown;
    /// no reply within <paramref name="timeout"/> (default: <c>autopilot.actor.ask-timeout</c>) or a dead recipient
    /// throws <see cref="AskTimeoutException"/>; a reply of another type throws <see cref="InvalidCastException"/>.
    /// </summary>
    public static async Task<T> Ask<T>(this IActorRef recipient, object message, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var reply = await Ask(recipient, message, timeout, cancellationToken).ConfigureAwait(false);
        return reply switch
        {
            T typed => typed,
            Status.Success { Value: T value } => value,
            _ => throw new InvalidCastException($"Ask to {recipient.Path} expected a reply of type {typeof(T).Name} but got {reply.GetType().Name}."),
        };
    }

    /// <summary>Like <see cref="Ask{T}"/>, accepting any reply type.</summary>
    public static async Task<object> Ask(this IActorRef recipient, object message, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var target = recipient as ActorRefBase;
        var system = target?.OwningSystem;
        if (system is null || target!.IsTerminated)
        {
            throw new AskTimeoutException($"Ask to {recipient.Path} failed at once: the recipient is terminated (message of type [{message.GetType().FullName}]).");
        }

        var wait = timeout ?? system.Settings.AskTimeout;
        if (wait <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), wait, "An ask timeout must be positive.");
        }

        var future = system.NewFuture();
        future.SetTimeout(system.Scheduler.ScheduleOnce(wait, () => future.Fail(
            new AskTimeoutException($"Ask timed out on [{recipient.Path}] after [{wait.TotalMilliseconds} ms]. Message of type [{message.GetType().FullName}] got no reply."))));
        await using var registration = cancellationToken.Register(() => future.Fail(new TaskCanceledException($"Ask to {recipient.Path} was cancelled.")));
        recipient.Tell(message, future);
        var reply = await future.Task.ConfigureAwait(false);
        return reply is Status.Failure failure ? throw failure.Cause : reply;
    }

    /// <summary>Forwards <paramref name="message"/> keeping the current message's sender (inside an actor only).</summary>
    public static void Forward(this IActorRef recipient, object message)
    {
        var cell = ActorCell.Current ?? throw new InvalidOperationException("Forward can only be used inside an actor, while it processes a message.");
        recipient.Tell(message, cell.Sender);
    }
}
