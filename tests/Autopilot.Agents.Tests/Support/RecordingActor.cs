using System.Collections.Concurrent;
using Akka.Actor;

namespace Autopilot.Agents.Tests.Support;

/// <summary>Stands in for a worker: records every message it receives, so a test can wait for conditions on them.</summary>
public sealed class RecordingActor : ReceiveActor
{
    /// <summary>Records into <paramref name="into"/>.</summary>
    public RecordingActor(ConcurrentQueue<object> into) => ReceiveAny(into.Enqueue);

    /// <summary>Props recording into <paramref name="into"/>.</summary>
    public static Props Props(ConcurrentQueue<object> into) => Akka.Actor.Props.Create(() => new RecordingActor(into));
}
