using Autopilot.Actors;
using Xunit;

namespace Autopilot.Actors.Tests.Actor;

public sealed class DeathWatchSpec : TestKit.TestKit
{
    [Fact]
    public void Watching_delivers_Terminated_when_the_actor_stops()
    {
        var echo = ActorOf(Props.Create<EchoActor>());
        Watch(echo);
        echo.Tell(PoisonPill.Instance);
        Assert.True(ExpectTerminated(echo).ExistenceConfirmed);
    }

    [Fact]
    public void Watching_an_already_dead_actor_still_delivers_Terminated()
    {
        var echo = ActorOf(Props.Create<EchoActor>());
        Watch(echo);
        Sys.Stop(echo);
        ExpectTerminated(echo);

        var late = CreateTestProbe();
        late.Watch(echo);
        late.ExpectTerminated(echo);
    }

    [Fact]
    public void Unwatch_before_the_stop_means_no_Terminated()
    {
        var echo = ActorOf(Props.Create<EchoActor>());
        Watch(echo);
        Unwatch(echo);
        var other = CreateTestProbe();
        other.Watch(echo);
        Sys.Stop(echo);
        other.ExpectTerminated(echo);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Death_watch_racing_with_stop_always_yields_exactly_one_Terminated()
    {
        for (var i = 0; i < 300; i++)
        {
            var echo = ActorOf(Props.Create<EchoActor>());
            var stopper = Task.Run(() => Sys.Stop(echo));
            Watch(echo);
            await stopper;
            ExpectTerminated(echo);
        }

        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void PoisonPill_processes_what_came_before_and_dead_letters_what_came_after()
    {
        var echo = ActorOf(Props.Create<EchoActor>());
        Watch(echo);
        EventFilter.DeadLetter<string>().ExpectOne(() =>
        {
            echo.Tell("before", TestActor);
            echo.Tell(PoisonPill.Instance);
            echo.Tell("after", TestActor);
            ExpectMsg("before");
            ExpectTerminated(echo);
        });
    }

    [Fact]
    public void Stopping_a_parent_stops_its_children_first()
    {
        var parent = ActorOf(Props.Create(() => new ParentActor(SupervisorStrategy.Default)));
        parent.Tell((Props.Create(() => new CountingActor(TestActor)), "c"), TestActor);
        var startup = ReceiveN(3);
        Assert.Equal(["constructed", "pre-start"], startup.OfType<string>());
        var child = startup.OfType<IActorRef>().Single();
        Watch(child);
        Watch(parent);
        Sys.Stop(parent);
        ExpectMsg("post-stop");
        ExpectTerminated(child);
        ExpectTerminated(parent);
    }

    [Fact]
    public void Stop_overtakes_queued_user_messages()
    {
        var gate = new ManualResetEventSlim();
        var actor = ActorOf(Props.Create(() => new BlockingActor(gate)));
        Watch(actor);
        actor.Tell("block", TestActor);
        ExpectMsg("blocking");
        for (var i = 0; i < 100; i++)
        {
            actor.Tell($"queued {i}", TestActor);
        }

        Sys.Stop(actor);
        gate.Set();
        ExpectTerminated(actor);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // none of the queued messages was processed
    }

    [Fact]
    public void Terminated_can_be_handled_by_the_watcher()
    {
        var victim = ActorOf(Props.Create<EchoActor>());
        var watcher = ActorOf(Props.Create(() => new ReportingWatcher(victim, TestActor)));
        watcher.Tell("ready?", TestActor);
        ExpectMsg("ready");
        Sys.Stop(victim);
        Assert.Equal(victim, ExpectMsg<Terminated>().ActorRef);
    }

    private sealed class BlockingActor : ReceiveActor
    {
        public BlockingActor(ManualResetEventSlim gate)
        {
            Receive<string>(_ =>
            {
                Sender.Tell("blocking");
                gate.Wait();
            }, s => s == "block");
            Receive<string>(s => Sender.Tell(s));
        }
    }

    private sealed class ReportingWatcher : ReceiveActor
    {
        public ReportingWatcher(IActorRef victim, IActorRef reporter)
        {
            Context.Watch(victim);
            Receive<string>(_ => Sender.Tell("ready"));
            Receive<Terminated>(t => reporter.Tell(t));
        }
    }
}
