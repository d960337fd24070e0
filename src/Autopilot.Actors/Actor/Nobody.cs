using Autopilot.Actors.Dispatch;

namespace Autopilot.Actors;

/// <summary>The reference to no actor: messages to it vanish (there is no system to publish a dead letter on).</summary>
public sealed class Nobody : ActorRefBase
{
    /// <summary>The only instance.</summary>
    public static Nobody Instance { get; } = new();

    private Nobody()
    {
    }

    /// <inheritdoc />
    public override ActorPath Path { get; } = ActorPath.Root("nobody").Child("nobody", 0);

    /// <inheritdoc />
    public override void Tell(object message, IActorRef? sender = null)
    {
        if (sender is FutureActorRef future)
        {
            future.Fail(new AskTimeoutException($"Ask was sent to Nobody: message of type [{message.GetType().FullName}] has no recipient."));
        }
    }

    internal override void SendSystemMessage(SystemMessage message)
    {
        if (message is Watch watch)
        {
            // Watching nobody answers at once, as watching any dead actor does.
            watch.Watcher.SendSystemMessage(new DeathWatchNotification(this, ExistenceConfirmed: false));
        }
    }

    internal override bool IsTerminated => true;
}
