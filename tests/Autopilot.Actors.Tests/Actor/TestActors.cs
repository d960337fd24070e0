using Autopilot.Actors;

namespace Autopilot.Actors.Tests.Actor;

/// <summary>Replies to every message with the same message.</summary>
public sealed class EchoActor : ReceiveActor
{
    public EchoActor() => ReceiveAny(m => Sender.Tell(m));
}

/// <summary>Counts messages; answers "count" with the count; throws on an exception message; reports lifecycle to a probe.</summary>
public sealed class CountingActor : ReceiveActor
{
    private int _count;

    public CountingActor(IActorRef? reporter = null)
    {
        reporter?.Tell($"constructed");
        Receive<string>(_ => Sender.Tell(_count), s => s == "count");
        Receive<Exception>(e => throw e);
        Receive<int>(_ => _count++);
        Reporter = reporter;
    }

    private IActorRef? Reporter { get; }

    protected override void PreStart() => Reporter?.Tell("pre-start");

    protected override void PostStop() => Reporter?.Tell("post-stop");

    protected override void PreRestart(Exception reason, object? message)
    {
        Reporter?.Tell($"pre-restart:{reason.Message}:{message?.GetType().Name}");
        base.PreRestart(reason, message);
    }

    protected override void PostRestart(Exception reason)
    {
        Reporter?.Tell($"post-restart:{reason.Message}");
        base.PostRestart(reason);
    }
}

/// <summary>Creates children on request and supervises them with the given strategy.</summary>
public sealed class ParentActor : ReceiveActor
{
    private readonly SupervisorStrategy _strategy;

    public ParentActor(SupervisorStrategy strategy)
    {
        _strategy = strategy;
        Receive<(Props Props, string Name)>(c => Sender.Tell(Context.ActorOf(c.Props, c.Name)));
    }

    protected override SupervisorStrategy SupervisorStrategy() => _strategy;
}

/// <summary>Message that makes an actor throw.</summary>
public sealed class Boom(string message) : Exception(message);
