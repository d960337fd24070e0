using Autopilot.Actors;
using Autopilot.Actors.TestKit;
using Autopilot.Actors.Tests.Actor;
using Xunit;

namespace Autopilot.Actors.Tests.TestKitSpecs;

public sealed class TestKitSpec : Autopilot.Actors.TestKit.TestKit
{
    [Fact]
    public void A_wrong_message_reads_like_Akka_what_was_expected_what_arrived_and_when()
    {
        TestActor.Tell("surprise", TestActor);
        var error = Assert.Throws<TestKitAssertionException>(() => ExpectMsg<int>(TimeSpan.FromSeconds(1)));
        Assert.Contains("expected a message of type Int32", error.Message);
        Assert.Contains("received String { surprise }", error.Message);
        Assert.Contains("after", error.Message);
    }

    [Fact]
    public void A_timeout_says_how_long_it_waited()
    {
        var error = Assert.Throws<TestKitAssertionException>(() => ExpectMsg<int>(TimeSpan.FromMilliseconds(50)));
        Assert.Contains("timeout (50 ms)", error.Message);
        Assert.Contains("nothing arrived", error.Message);
    }

    [Fact]
    public void ExpectNoMsg_fails_when_something_arrives()
    {
        TestActor.Tell(1, TestActor);
        Assert.Throws<TestKitAssertionException>(() => ExpectNoMsg(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public void ExpectMsgAllOf_accepts_any_order_and_FishForMessage_skips()
    {
        TestActor.Tell(2, TestActor);
        TestActor.Tell(1, TestActor);
        ExpectMsgAllOf(1, 2);
        TestActor.Tell("noise", TestActor);
        TestActor.Tell(42, TestActor);
        Assert.Equal(42, FishForMessage<int>());
    }

    [Fact]
    public void Within_bounds_the_expectations_inside_it()
    {
        var error = Assert.Throws<TestKitAssertionException>(() => Within(TimeSpan.FromMilliseconds(100), () => ExpectMsg<int>(TimeSpan.FromSeconds(5))));
        Assert.Contains("timeout", error.Message);
    }

    [Fact]
    public void AwaitCondition_fails_with_the_description_when_it_never_holds()
    {
        var error = Assert.Throws<TestKitAssertionException>(() => AwaitCondition(() => false, TimeSpan.FromMilliseconds(100), message: "the world ends"));
        Assert.Contains("the world ends", error.Message);
    }

    [Fact]
    public void Probes_reply_to_the_last_sender()
    {
        var probe = CreateTestProbe();
        var echo = ActorOf(Props.Create<EchoActor>());
        probe.Tell(echo, "hello");
        probe.ExpectMsg("hello");
        Assert.Equal(echo, probe.LastSender);
        probe.Reply("back");
        probe.ExpectMsg("back");
    }

    [Fact]
    public void EventFilter_fails_when_the_expected_event_never_comes()
    {
        var error = Assert.Throws<TestKitAssertionException>(() =>
            EventFilter.Error("never logged").Expect(1, () => { }, TimeSpan.FromMilliseconds(100)));
        Assert.Contains("expected 1 Error event(s) containing \"never logged\" but got 0", error.Message);
    }

    [Fact]
    public void Virtual_time_fires_timers_in_due_order_with_the_clock_at_each_due_time()
    {
        var time = new VirtualTimeProvider();
        var start = time.GetUtcNow();
        var fired = new List<(string Name, TimeSpan At)>();
        using var late = time.CreateTimer(_ => fired.Add(("late", time.GetUtcNow() - start)), null, TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);
        using var early = time.CreateTimer(_ => fired.Add(("early", time.GetUtcNow() - start)), null, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4));
        time.Advance(TimeSpan.FromSeconds(12));
        Assert.Equal(
            [("early", TimeSpan.FromSeconds(3)), ("early", TimeSpan.FromSeconds(7)), ("late", TimeSpan.FromSeconds(10)), ("early", TimeSpan.FromSeconds(11))],
            fired);
        Assert.Equal(TimeSpan.FromSeconds(12), time.GetUtcNow() - start);
    }
}
