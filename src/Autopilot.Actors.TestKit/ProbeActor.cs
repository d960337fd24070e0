using System.Collections.Concurrent;

namespace Autopilot.Actors.TestKit;

/// <summary>
/// The actor behind a probe: queues every message it receives for the test thread to inspect, and watches actors on
/// the test's behalf (so <see cref="Terminated"/> arrives like any other message).
/// </summary>
internal sealed class ProbeActor(BlockingCollection<Envelope> queue) : ActorBase
{
    /// <summary>Makes the probe watch <paramref name="Target"/>.</summary>
    public sealed record WatchTarget(IActorRef Target);

    /// <summary>Makes the probe stop watching <paramref name="Target"/>.</summary>
    public sealed record UnwatchTarget(IActorRef Target);

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case WatchTarget watch:
                Context.Watch(watch.Target);
                break;
            case UnwatchTarget unwatch:
                Context.Unwatch(unwatch.Target);
                break;
            default:
                queue.Add(new Envelope(message, Sender));
                break;
        }

        return true;
    }
}
