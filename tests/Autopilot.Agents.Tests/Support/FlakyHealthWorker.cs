using Akka.Actor;
using Autopilot.Agents.Protocol;

namespace Autopilot.Agents.Tests.Support;

/// <summary>Counts the incarnations of <see cref="FlakyHealthWorker"/> across restarts.</summary>
public sealed class Incarnations
{
    private int _count;

    /// <summary>Instances created so far.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Records a new instance and returns its number (1 for the first).</summary>
    public int Next() => Interlocked.Increment(ref _count);
}

/// <summary>A health worker whose first incarnation throws while checking; later incarnations find the dependencies down.</summary>
public sealed class FlakyHealthWorker : ReceiveActor
{
    /// <summary>Creates an incarnation.</summary>
    public FlakyHealthWorker(Incarnations incarnations)
    {
        var incarnation = incarnations.Next();
        Receive<CheckHealth>(check =>
        {
            if (incarnation == 1)
            {
                throw new InvalidOperationException("probe thread crashed");
            }

            Sender.Tell(new WorkerResult(check.ActionId, false, Detail: $"{string.Join(", ", check.Targets)}: connection refused"));
        });
    }

    /// <summary>Props sharing <paramref name="incarnations"/>.</summary>
    public static Props Props(Incarnations incarnations) => Akka.Actor.Props.Create(() => new FlakyHealthWorker(incarnations));
}
