using Akka.Actor;

namespace Autopilot.Daemon.SelfWatch;

/// <summary>Messages waiting in an actor's mailbox and its children's (a backoff supervisor forwards to its child at once).</summary>
public static class MailboxDepth
{
    /// <summary>The depth of <paramref name="actor"/> and its children, or null when it is not a local live actor.</summary>
    public static long? Of(IActorRef? actor)
    {
        if (actor is not ActorRefWithCell { Underlying: var cell } local || cell.IsTerminated)
        {
            return null;
        }

        long depth = cell.NumberOfMessages;
        foreach (var child in local.Children.OfType<ActorRefWithCell>())
        {
            depth += child.Underlying.NumberOfMessages;
        }

        return depth;
    }
}
