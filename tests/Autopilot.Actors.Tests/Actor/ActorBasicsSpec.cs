using Autopilot.Actors;
using Autopilot.Actors.Event;
using Xunit;

namespace Autopilot.Actors.Tests.Actor;

public sealed class ActorBasicsSpec : TestKit.TestKit
{
    [Fact]
    public void Tell_delivers_and_sender_is_the_telling_actor()
    {
        var echo = ActorOf(Props.Create<EchoActor>(), "echo");
        echo.Tell("hello", TestActor);
        Assert.Equal("hello", ExpectMsg<string>());
        Assert.Equal(echo, LastSender);
    }

    [Fact]
    public void Messages_from_one_sender_arrive_in_send_order()
    {
        var echo = ActorOf(Props.Create<EchoActor>());
        const int count = 10_000;
        for (var i = 0; i < count; i++)
        {
            echo.Tell(i, TestActor);
        }

        var received = ReceiveN(count, TimeSpan.FromSeconds(20)).Cast<int>().ToArray();
        Assert.Equal(Enumerable.Range(0, count), received);
    }

    [Fact]
    public void Many_concurrent_senders_lose_nothing_and_each_keeps_its_order()
    {
        const int senders = 8;
        const int perSender = 20_000;
        var collector = ActorOf(Props.Create(() => new OrderCollector(senders * perSender, TestActor)));
        var threads = Enumerable.Range(0, senders).Select(s => new Thread(() =>
        {
            for (var i = 0; i < perSender; i++)
            {
                collector.Tell((s, i));
            }
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        Assert.Equal("all in order", ExpectMsg<string>(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void A_message_sent_just_as_a_mailbox_goes_idle_is_never_stranded()
    {
        // Each round finds most mailboxes idle or going idle: the race between "consumer parks" and "producer
        // enqueues" is exercised tens of thousands of times. A lost wake-up leaves a reply missing.
        var echoes = Enumerable.Range(0, 2_000).Select(_ => ActorOf(Props.Create<EchoActor>())).ToArray();
        for (var round = 0; round < 20; round++)
        {
            Parallel.ForEach(echoes, new ParallelOptions { MaxDegreeOfParallelism = 4 }, echo => echo.Tell(round, TestActor));
            Assert.Equal(echoes.Length, ReceiveN(echoes.Length, TimeSpan.FromSeconds(30)).Count);
        }
    }

    [Fact]
    public void Paths_reflect_the_hierarchy()
    {
        var parent = ActorOf(Props.Create(() => new ParentActor(SupervisorStrategy.Default)), "orchestrator");
        parent.Tell((Props.Create<EchoActor>(), "railway"), TestActor);
        var child = ExpectMsg<IActorRef>();
        Assert.Equal("autopilot://test/user/orchestrator/railway", child.Path.ToString());
        Assert.Equal(["user", "orchestrator", "railway"], child.Path.Elements);
        Assert.NotEqual(0, child.Path.Uid);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("$reserved")]
    [InlineData("has space")]
    public void Invalid_names_are_rejected_with_a_clear_error(string name)
    {
        var error = Assert.Throws<InvalidActorNameException>(() => ActorOf(Props.Create<EchoActor>(), name));
        Assert.Contains(name.Length == 0 ? "empty" : name, error.Message);
    }

    [Fact]
    public void Sibling_names_are_unique_until_the_sibling_has_terminated()
    {
        var first = ActorOf(Props.Create<EchoActor>(), "unique");
        var error = Assert.Throws<InvalidActorNameException>(() => ActorOf(Props.Create<EchoActor>(), "unique"));
        Assert.Contains("not unique", error.Message);

        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);
        AwaitAssert(() => ActorOf(Props.Create<EchoActor>(), "unique"));
    }

    [Fact]
    public void Generated_names_start_with_a_dollar_and_differ()
    {
        var a = ActorOf(Props.Create<EchoActor>());
        var b = ActorOf(Props.Create<EchoActor>());
        Assert.StartsWith("$", a.Path.Name);
        Assert.NotEqual(a.Path.Name, b.Path.Name);
    }

    [Fact]
    public void Creating_an_actor_with_new_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new EchoActor());
        Assert.Contains("ActorOf", error.Message);
    }

    [Fact]
    public void Receive_predicates_pick_the_first_matching_handler_and_the_rest_is_unhandled()
    {
        var actor = ActorOf(Props.Create(() => new PickyActor()));
        actor.Tell(5, TestActor);
        actor.Tell(50, TestActor);
        Assert.Equal("small 5", ExpectMsg<string>());
        Assert.Equal("large 50", ExpectMsg<string>());
        EventFilter.Unhandled<string>().ExpectOne(() => actor.Tell("not handled", TestActor));
    }

    [Fact]
    public void ReceiveAny_handles_whatever_earlier_handlers_did_not()
    {
        var actor = ActorOf(Props.Create(() => new FallbackActor()));
        actor.Tell(1, TestActor);
        actor.Tell("x", TestActor);
        Assert.Equal("int", ExpectMsg<string>());
        Assert.Equal("any:String", ExpectMsg<string>());
    }

    [Fact]
    public void Become_and_Unbecome_switch_behaviour()
    {
        var actor = ActorOf(Props.Create(() => new MoodActor()));
        actor.Tell("how", TestActor);
        ExpectMsg("happy");
        actor.Tell("sad", TestActor);
        actor.Tell("how", TestActor);
        ExpectMsg("sad");
        actor.Tell("back", TestActor);
        actor.Tell("how", TestActor);
        ExpectMsg("happy");
    }

    [Fact]
    public void Context_children_and_child_by_name()
    {
        var parent = ActorOf(Props.Create(() => new FamilyActor()));
        parent.Tell("make", TestActor);
        ExpectMsg("made");
        parent.Tell("children", TestActor);
        Assert.Equal(["a", "b"], ExpectMsg<string[]>());
        parent.Tell("child a", TestActor);
        Assert.Equal("a", ExpectMsg<IActorRef>().Path.Name);
        parent.Tell("child zzz", TestActor);
        Assert.Same(ActorRefs.Nobody, ExpectMsg<IActorRef>());
    }

    [Fact]
    public void Forward_keeps_the_original_sender()
    {
        var echo = ActorOf(Props.Create<EchoActor>());
        var forwarder = ActorOf(Props.Create(() => new ForwardingActor(echo)));
        forwarder.Tell("via", TestActor);
        ExpectMsg("via");
        Assert.Equal(echo, LastSender);
    }

    [Fact]
    public void Event_stream_delivers_by_type_including_subtypes()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(Exception));
        Sys.EventStream.Publish(new InvalidOperationException("sub"));
        Sys.EventStream.Publish("not an exception");
        Assert.Equal("sub", probe.ExpectMsg<InvalidOperationException>().Message);
        probe.ExpectNoMsg();
        Sys.EventStream.Unsubscribe(probe.Ref, typeof(Exception));
        Sys.EventStream.Publish(new Exception("after"));
        probe.ExpectNoMsg();
    }

    [Fact]
    public void Messages_to_a_dead_actor_are_published_as_dead_letters()
    {
        var echo = ActorOf(Props.Create<EchoActor>());
        Watch(echo);
        Sys.Stop(echo);
        ExpectTerminated(echo);
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(DeadLetter));
        echo.Tell("lost", TestActor);
        var dead = probe.ExpectMsg<DeadLetter>();
        Assert.Equal("lost", dead.Message);
        Assert.Equal(echo, dead.Recipient);
        Assert.Equal(TestActor, dead.Sender);
    }

    [Fact]
    public void Lifecycle_hooks_run_in_order_on_start_restart_and_stop()
    {
        var child = ActorOf(Props.Create(() => new CountingActor(TestActor)), "counted");
        ExpectMsg("constructed");
        ExpectMsg("pre-start");
        child.Tell(new Boom("first"), TestActor);
        ExpectMsg("pre-restart:first:Boom");
        ExpectMsg("post-stop");
        ExpectMsg("constructed");
        ExpectMsg("post-restart:first");
        ExpectMsg("pre-start");
        Sys.Stop(child);
        ExpectMsg("post-stop");
    }

    private sealed class OrderCollector : ReceiveActor
    {
        public OrderCollector(int expected, IActorRef reporter)
        {
            var next = new Dictionary<int, int>();
            var received = 0;
            Receive<(int Sender, int Sequence)>(m =>
            {
                next.TryGetValue(m.Sender, out var want);
                if (m.Sequence != want)
                {
                    reporter.Tell($"sender {m.Sender} sent {m.Sequence} where {want} was due");
                }

                next[m.Sender] = m.Sequence + 1;
                if (++received == expected)
                {
                    reporter.Tell("all in order");
                }
            });
        }
    }

    private sealed class PickyActor : ReceiveActor
    {
        public PickyActor()
        {
            Receive<int>(i => Sender.Tell($"small {i}"), i => i < 10);
            Receive<int>(i => Sender.Tell($"large {i}"));
        }
    }

    private sealed class FallbackActor : ReceiveActor
    {
        public FallbackActor()
        {
            Receive<int>(_ => Sender.Tell("int"));
            ReceiveAny(m => Sender.Tell($"any:{m.GetType().Name}"));
        }
    }

    private sealed class MoodActor : ReceiveActor
    {
        public MoodActor()
        {
            Receive<string>(_ => Sender.Tell("happy"), s => s == "how");
            Receive<string>(_ => BecomeStacked(() =>
            {
                Receive<string>(_ => Sender.Tell("sad"), s => s == "how");
                Receive<string>(_ => Unbecome(), s => s == "back");
            }), s => s == "sad");
        }
    }

    private sealed class FamilyActor : ReceiveActor
    {
        public FamilyActor()
        {
            Receive<string>(_ =>
            {
                Context.ActorOf(Props.Create<EchoActor>(), "a");
                Context.ActorOf(Props.Create<EchoActor>(), "b");
                Sender.Tell("made");
            }, s => s == "make");
            Receive<string>(_ => Sender.Tell(Context.Children.Select(c => c.Path.Name).Order().ToArray()), s => s == "children");
            Receive<string>(s => Sender.Tell(Context.Child(s[6..])), s => s.StartsWith("child ", StringComparison.Ordinal));
        }
    }

    private sealed class ForwardingActor : ReceiveActor
    {
        public ForwardingActor(IActorRef target) => ReceiveAny(m => target.Forward(m));
    }
}
