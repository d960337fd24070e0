using Autopilot.Actors;
using Autopilot.Actors.Dispatch;
using Autopilot.Actors.Tests.Actor;
using Xunit;

namespace Autopilot.Actors.Tests.Dispatch;

public sealed class BoundedMailboxSpec : TestKit.TestKit
{
    [Fact]
    public void A_full_mailbox_dead_letters_the_overflow_without_blocking_the_sender()
    {
        var gate = new ManualResetEventSlim();
        var actor = ActorOf(Props.Create(() => new GatedEcho(gate)).WithMailbox(new MailboxSettings(Capacity: 3)));
        actor.Tell("hold", TestActor);
        ExpectMsg("holding");
        EventFilter.DeadLetter<int>().Expect(2, () =>
        {
            for (var i = 0; i < 5; i++)
            {
                actor.Tell(i, TestActor); // 3 fit, 2 overflow
            }
        });
        gate.Set();
        Assert.Equal([0, 1, 2], ReceiveN(3).Cast<int>());
    }

    [Fact]
    public void The_throw_policy_refuses_the_message_to_the_sender()
    {
        var gate = new ManualResetEventSlim();
        var actor = ActorOf(Props.Create(() => new GatedEcho(gate)).WithMailbox(new MailboxSettings(1, MailboxOverflow.Throw)));
        actor.Tell("hold", TestActor);
        ExpectMsg("holding");
        actor.Tell(1, TestActor);
        var error = Assert.Throws<MailboxFullException>(() => actor.Tell(2, TestActor));
        Assert.Contains(actor.Path.ToString(), error.Message);
        gate.Set();
        ExpectMsg(1);
    }

    [Fact]
    public void The_default_mailbox_comes_from_configuration()
    {
        using var kit = new ConfiguredKit();
        var gate = new ManualResetEventSlim();
        var actor = kit.ActorOf(Props.Create(() => new GatedEcho(gate)));
        actor.Tell("hold", kit.TestActor);
        kit.ExpectMsg("holding");
        actor.Tell(1, kit.TestActor);
        Assert.Throws<MailboxFullException>(() => actor.Tell(2, kit.TestActor));
        gate.Set();
    }

    private sealed class ConfiguredKit() : TestKit.TestKit("autopilot.actor.default-mailbox { capacity = 1, overflow = throw }");

    private sealed class GatedEcho : ReceiveActor
    {
        public GatedEcho(ManualResetEventSlim gate)
        {
            Receive<string>(_ =>
            {
                Sender.Tell("holding");
                gate.Wait();
            }, s => s == "hold");
            ReceiveAny(m => Sender.Tell(m));
        }
    }
}
