using Akka.Actor;

namespace Autopilot.Agents.Tests.Support;

/// <summary>
/// Plays the orchestrator for a worker under test: creates it as its child, passes the test's messages to it (keeping
/// the test as sender, so replies go to the test) and relays the worker's unsolicited reports to <c>reportsTo</c>.
/// </summary>
public sealed class ChildHost : ReceiveActor
{
    /// <summary>Hosts a child made from <paramref name="child"/> named <paramref name="name"/>.</summary>
    public ChildHost(Props child, string name, IActorRef reportsTo)
    {
        var worker = Context.ActorOf(child, name);
        ReceiveAny(message =>
        {
            if (Sender.Equals(worker))
            {
                reportsTo.Tell(message);
            }
            else
            {
                worker.Forward(message);
            }
        });
    }

    /// <summary>Props of the host.</summary>
    public static Props Props(Props child, string name, IActorRef reportsTo) => Akka.Actor.Props.Create(() => new ChildHost(child, name, reportsTo));
}
