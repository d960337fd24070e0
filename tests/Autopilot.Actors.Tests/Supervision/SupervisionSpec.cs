using Autopilot.Actors;
using Autopilot.Actors.Tests.Actor;
using Xunit;

namespace Autopilot.Actors.Tests.Supervision;

public sealed class SupervisionSpec : TestKit.TestKit
{
    private (IActorRef Parent, IActorRef Child) ParentWithChild(SupervisorStrategy strategy, string childName = "child")
    {
        var parent = ActorOf(Props.Create(() => new ParentActor(strategy)));
        parent.Tell((Props.Create(() => new CountingActor(null)), childName), TestActor);
        return (parent, ExpectMsg<IActorRef>());
    }

    private int CountOf(IActorRef actor)
    {
        actor.Tell("count", TestActor);
        return ExpectMsg<int>();
    }

    [Fact]
    public void Restart_gives_a_fresh_instance_keeps_the_mailbox_and_drops_the_failing_message()
    {
        var (_, child) = ParentWithChild(SupervisorStrategy.Default);
        child.Tell(1);
        child.Tell(1);
        Assert.Equal(2, CountOf(child));

        EventFilter.Exception<Boom>("fail").ExpectOne(() =>
        {
            child.Tell(new Boom("fail"));
            child.Tell(1); // queued behind the failure: must survive the restart
        });
        Assert.Equal(1, CountOf(child));
    }

    [Fact]
    public void Resume_keeps_the_state()
    {
        var (_, child) = ParentWithChild(new OneForOneStrategy(_ => Directive.Resume));
        child.Tell(1);
        EventFilter.Warning("resume me").ExpectOne(() => child.Tell(new Boom("resume me")));
        child.Tell(1);
        Assert.Equal(2, CountOf(child));
    }

    [Fact]
    public void Stop_directive_stops_the_child()
    {
        var (_, child) = ParentWithChild(new OneForOneStrategy(_ => Directive.Stop));
        Watch(child);
        child.Tell(new Boom("stop me"));
        ExpectTerminated(child);
    }

    [Fact]
    public void One_for_one_never_touches_a_sibling()
    {
        var parent = ActorOf(Props.Create(() => new ParentActor(new OneForOneStrategy(_ => Directive.Stop))));
        parent.Tell((Props.Create(() => new CountingActor(null)), "a"), TestActor);
        var a = ExpectMsg<IActorRef>();
        parent.Tell((Props.Create(() => new CountingActor(null)), "b"), TestActor);
        var b = ExpectMsg<IActorRef>();
        b.Tell(1);
        Watch(a);
        a.Tell(new Boom("only a"));
        ExpectTerminated(a);
        Assert.Equal(1, CountOf(b));
    }

    [Fact]
    public void All_for_one_restarts_every_sibling()
    {
        var parent = ActorOf(Props.Create(() => new ParentActor(new AllForOneStrategy(_ => Directive.Restart))));
        parent.Tell((Props.Create(() => new CountingActor(null)), "a"), TestActor);
        var a = ExpectMsg<IActorRef>();
        parent.Tell((Props.Create(() => new CountingActor(null)), "b"), TestActor);
        var b = ExpectMsg<IActorRef>();
        a.Tell(1);
        b.Tell(1);
        b.Tell(1);
        Assert.Equal(2, CountOf(b));
        a.Tell(new Boom("all of you"));
        AwaitAssert(() => Assert.Equal(0, CountOf(b)));
        Assert.Equal(0, CountOf(a));
    }

    [Fact]
    public void Restart_loop_hits_max_retries_within_the_window_and_stops_the_child()
    {
        var (_, child) = ParentWithChild(new OneForOneStrategy(3, TimeSpan.FromMinutes(1), _ => Directive.Restart));
        Watch(child);
        EventFilter.Exception<Boom>().Expect(4, () =>
        {
            for (var i = 0; i < 4; i++)
            {
                child.Tell(new Boom($"failure {i}"));
            }
        });
        ExpectTerminated(child);
    }

    [Fact]
    public void Default_strategy_stops_an_actor_whose_constructor_throws()
    {
        var (parent, _) = ParentWithChild(SupervisorStrategy.Default);
        parent.Tell((Props.Create(() => new ThrowingConstructorActor()), "broken"), TestActor);
        var broken = ExpectMsg<IActorRef>();
        Watch(broken);
        ExpectTerminated(broken);
    }

    [Fact]
    public void Kill_stops_the_actor_through_its_supervisor()
    {
        var (_, child) = ParentWithChild(SupervisorStrategy.Default);
        Watch(child);
        EventFilter.Exception<ActorKilledException>().ExpectOne(() => child.Tell(Kill.Instance));
        ExpectTerminated(child);
    }

    [Fact]
    public void Unhandled_terminated_is_a_death_pact_that_stops_the_watcher()
    {
        var victim = ActorOf(Props.Create<EchoActor>());
        var watcher = ActorOf(Props.Create(() => new PactActor(victim)));
        Watch(watcher);
        watcher.Tell("watching?", TestActor);
        ExpectMsg("watching");
        EventFilter.Exception<DeathPactException>().ExpectOne(() => Sys.Stop(victim));
        ExpectTerminated(watcher);
    }

    [Fact]
    public void Escalation_climbs_the_chain_to_the_first_supervisor_that_decides()
    {
        // grandparent (restarts on escalation) → parent (escalates) → child (throws)
        var grandparent = ActorOf(Props.Create(() => new ParentActor(new OneForOneStrategy(_ => Directive.Restart))), "grandparent");
        grandparent.Tell((Props.Create(() => new ParentActor(new OneForOneStrategy(_ => Directive.Escalate))), "parent"), TestActor);
        var parent = ExpectMsg<IActorRef>();
        parent.Tell((Props.Create(() => new CountingActor(null)), "child"), TestActor);
        var child = ExpectMsg<IActorRef>();
        Watch(child);
        child.Tell(1);
        child.Tell(new Boom("escalate me"));
        // The parent is restarted by the grandparent; its default PreRestart stops its children.
        ExpectTerminated(child);
        parent.Tell((Props.Create(() => new CountingActor(null)), "child"), TestActor);
        Assert.Equal(0, CountOf(ExpectMsg<IActorRef>()));
    }

    [Fact]
    public void Escalation_to_the_user_guardian_restarts_the_top_level_actor_and_the_process_lives_on()
    {
        var top = ActorOf(Props.Create(() => new ParentActor(new OneForOneStrategy(_ => Directive.Escalate))), "top");
        top.Tell((Props.Create(() => new CountingActor(null)), "child"), TestActor);
        var child = ExpectMsg<IActorRef>();
        Watch(child);
        child.Tell(new Boom("to the guardian"));
        ExpectTerminated(child);
        top.Tell((Props.Create(() => new CountingActor(null)), "again"), TestActor);
        Assert.Equal("again", ExpectMsg<IActorRef>().Path.Name);
    }

    [Fact]
    public void Restart_stops_the_children_of_the_failed_instance_before_the_new_one_starts()
    {
        var outer = ActorOf(Props.Create(() => new ParentActor(SupervisorStrategy.Default)));
        outer.Tell((Props.Create(() => new RecreatesChildActor(TestActor)), "recreates"), TestActor);
        var recreates = ExpectMsg<IActorRef>();
        ExpectMsg("child created");
        recreates.Tell(new Boom("restart"));
        ExpectMsg("child created"); // the same child name was free again: the old child had terminated first
    }

    private sealed class ThrowingConstructorActor : ReceiveActor
    {
        public ThrowingConstructorActor() => throw new InvalidOperationException("cannot start");
    }

    private sealed class PactActor : ReceiveActor
    {
        public PactActor(IActorRef victim)
        {
            Context.Watch(victim);
            Receive<string>(_ => Sender.Tell("watching"));
        }
    }

    private sealed class RecreatesChildActor : ReceiveActor
    {
        public RecreatesChildActor(IActorRef reporter)
        {
            Context.ActorOf(Props.Create<EchoActor>(), "fixed-name");
            reporter.Tell("child created");
            Receive<Exception>(e => throw e);
        }
    }
}
