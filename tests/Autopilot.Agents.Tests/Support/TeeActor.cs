using System.Collections.Concurrent;
using Akka.Actor;

namespace Autopilot.Agents.Tests.Support;

/// <summary>Sits in front of a real worker: records every message sent to it, then passes it on unchanged.</summary>
public sealed class TeeActor : ReceiveActor
{
    /// <summary>Creates the worker from <paramref name="worker"/> and records into <paramref name="into"/>.</summary>
    public TeeActor(Props worker, string name, ConcurrentQueue<object> into)
    {
        var target = Context.ActorOf(worker, name);
        ReceiveAny(message =>
        {
            into.Enqueue(message);
            target.Forward(message);
        });
    }

    /// <summary>Props of the tee.</summary>
    public static Props Props(Props worker, string name, ConcurrentQueue<object> into) => Akka.Actor.Props.Create(() => new TeeActor(worker, name, into));
}
