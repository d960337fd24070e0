using Autopilot.Actors;
using Xunit;

namespace Autopilot.Actors.Tests.Actor;

public sealed class StashAndBehaviourSpec : TestKit.TestKit
{
    [Fact]
    public void Stashed_messages_are_replayed_in_order_after_Become()
    {
        var actor = ActorOf(Props.Create(() => new GateActor()));
        actor.Tell("a", TestActor);
        actor.Tell("b", TestActor);
        actor.Tell("open", TestActor);
        actor.Tell("c", TestActor);
        ExpectMsg("opened");
        ExpectMsg("a");
        ExpectMsg("b");
        ExpectMsg("c");
    }

    [Fact]
    public void Stash_survives_Become_and_a_restart_hands_it_to_the_new_instance()
    {
        var actor = ActorOf(Props.Create(() => new GateActor()));
        actor.Tell("x", TestActor);
        actor.Tell("y", TestActor);
        actor.Tell("mood", TestActor); // Become without unstashing
        ExpectMsg("moody");
        EventFilter.Exception<InvalidOperationException>("restart").ExpectOne(() => actor.Tell("crash", TestActor));
        // The new instance starts closed again; the stash was put back into the mailbox, in order.
        actor.Tell("open", TestActor);
        ExpectMsg("opened");
        ExpectMsg("x");
        ExpectMsg("y");
    }

    [Fact]
    public void ReceiveAsync_takes_no_other_message_until_its_task_completes_and_keeps_the_sender()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = ActorOf(Props.Create(() => new AsyncActor(gate.Task)));
        actor.Tell("slow", TestActor);
        actor.Tell("fast", TestActor);
        ExpectMsg("slow started");
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        gate.SetResult();
        ExpectMsg("slow done");
        Assert.Equal(actor, LastSender);
        ExpectMsg("fast");
    }

    [Fact]
    public void An_async_handler_that_faults_is_a_failure_for_the_supervisor()
    {
        var actor = ActorOf(Props.Create(() => new AsyncActor(Task.CompletedTask)));
        EventFilter.Exception<InvalidOperationException>("async boom").ExpectOne(() => actor.Tell("fail", TestActor));
        actor.Tell("fast", TestActor);
        ExpectMsg("fast");
    }

    private sealed class GateActor : ReceiveActor, IWithStash
    {
        public GateActor()
        {
            Receive<string>(_ =>
            {
                Sender.Tell("opened");
                Become(Open);
                Stash.UnstashAll();
            }, s => s == "open");
            Receive<string>(_ =>
            {
                Sender.Tell("moody");
                Become(Moody);
            }, s => s == "mood");
            ReceiveAny(_ => Stash.Stash());
        }

        public IStash Stash { get; set; } = null!;

        private void Open() => Receive<string>(s => Sender.Tell(s));

        private void Moody()
        {
            Receive<string>(_ => throw new InvalidOperationException("restart"), s => s == "crash");
            ReceiveAny(_ => Stash.Stash());
        }
    }

    private sealed class AsyncActor : ReceiveActor
    {
        public AsyncActor(Task gate)
        {
            ReceiveAsync<string>(async _ =>
            {
                var sender = Sender;
                sender.Tell("slow started");
                await gate;
                Sender.Tell("slow done");
            }, s => s == "slow");
            ReceiveAsync<string>(async _ =>
            {
                await Task.Yield();
                throw new InvalidOperationException("async boom");
            }, s => s == "fail");
            Receive<string>(s => Sender.Tell(s));
        }
    }
}
