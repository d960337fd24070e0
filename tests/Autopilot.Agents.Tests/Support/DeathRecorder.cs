using System.Collections.Concurrent;
using Akka.Actor;

namespace Autopilot.Agents.Tests.Support;

/// <summary>Watches an actor and records its <see cref="Terminated"/>, so a test can wait on it as a plain condition.</summary>
public sealed class DeathRecorder : ReceiveActor
{
    /// <summary>Watches <paramref name="target"/>, recording into <paramref name="into"/>.</summary>
    public DeathRecorder(IActorRef target, ConcurrentQueue<object> into)
    {
        Context.Watch(target);
        Receive<Terminated>(into.Enqueue);
    }

    /// <summary>Props of the recorder.</summary>
    public static Props Props(IActorRef target, ConcurrentQueue<object> into) => Akka.Actor.Props.Create(() => new DeathRecorder(target, into));
}
