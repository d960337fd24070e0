using Akka.Actor;

namespace Autopilot.Agents.Tests.Isolation;

/// <summary>
/// Stands in for the orchestrator as a worker's parent: starts the worker as its child, passes what the child sends
/// its parent (reports, alerts) to an observer, and forwards everything else to the child with the original sender,
/// so replies go straight back to the test.
/// </summary>
public sealed class ParentStandIn : ReceiveActor
{
    private readonly Props _child;
    private readonly string _name;
    private readonly IActorRef _observer;
    private IActorRef _worker = ActorRefs.Nobody;

    /// <summary>Creates the stand-in.</summary>
    public ParentStandIn(Props child, string name, IActorRef observer)
    {
        _child = child;
        _name = name;
        _observer = observer;
        ReceiveAny(message =>
        {
            if (Sender.Equals(_worker))
            {
                _observer.Tell(message, Sender);
            }
            else
            {
                _worker.Forward(message);
            }
        });
    }

    /// <summary>Props of a stand-in parent of <paramref name="child"/>.</summary>
    public static Props Props(Props child, string name, IActorRef observer) => Akka.Actor.Props.Create(() => new ParentStandIn(child, name, observer));

    /// <inheritdoc />
    protected override void PreStart() => _worker = Context.ActorOf(_child, _name);
}
