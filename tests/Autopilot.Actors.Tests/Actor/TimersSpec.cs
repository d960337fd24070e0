using Autopilot.Actors;
using Xunit;

namespace Autopilot.Actors.Tests.Actor;

public sealed class TimersSpec() : TestKit.TestKit(virtualTime: true)
{
    [Fact]
    public void A_single_timer_fires_once_when_virtual_time_reaches_it()
    {
        var actor = ActorOf(Props.Create(() => new TimerActor(TestActor)));
        actor.Tell(new TimerActor.StartSingle("tick", TimeSpan.FromMinutes(5)));
        ExpectMsg("started");
        Time.Advance(TimeSpan.FromMinutes(4));
        ExpectNoMsg();
        Time.Advance(TimeSpan.FromMinutes(1));
        ExpectMsg("tick");
        Time.Advance(TimeSpan.FromMinutes(10));
        ExpectNoMsg();
    }

    [Fact]
    public void A_periodic_timer_fires_every_interval_until_cancelled()
    {
        var actor = ActorOf(Props.Create(() => new TimerActor(TestActor)));
        actor.Tell(new TimerActor.StartPeriodic("beat", TimeSpan.FromSeconds(5)));
        ExpectMsg("started");
        for (var i = 0; i < 3; i++)
        {
            Time.Advance(TimeSpan.FromSeconds(5));
            ExpectMsg("beat");
        }

        actor.Tell("cancel");
        ExpectMsg("cancelled");
        Time.Advance(TimeSpan.FromSeconds(30));
        ExpectNoMsg();
    }

    [Fact]
    public void Timers_are_cancelled_when_the_actor_stops()
    {
        var actor = ActorOf(Props.Create(() => new TimerActor(TestActor)));
        actor.Tell(new TimerActor.StartPeriodic("beat", TimeSpan.FromSeconds(1)));
        ExpectMsg("started");
        Assert.True(Sys.Scheduler.ActiveTimers > 0);
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        Assert.Equal(0, Sys.Scheduler.ActiveTimers);
        Time.Advance(TimeSpan.FromSeconds(10));
        ExpectNoMsg();
    }

    [Fact]
    public void Timers_are_cancelled_on_restart_even_if_their_message_was_already_queued()
    {
        var gate = new ManualResetEventSlim();
        var actor = ActorOf(Props.Create(() => new TimerActor(TestActor, gate)));
        actor.Tell(new TimerActor.StartSingle("stale", TimeSpan.FromSeconds(1)));
        ExpectMsg("started");
        actor.Tell("block"); // hold the actor so the timer's message queues behind the failure
        ExpectMsg("blocking");
        actor.Tell(new InvalidOperationException("restart"));
        Time.Advance(TimeSpan.FromSeconds(1)); // the timer's message now waits behind the failure
        actor.Tell("unblock-probe");
        gate.Set();
        ExpectMsg("restarted");
        ExpectMsg("unblock-probe");
        ExpectNoMsg();
    }

    [Fact]
    public void Starting_a_timer_with_the_same_key_replaces_the_old_one()
    {
        var actor = ActorOf(Props.Create(() => new TimerActor(TestActor)));
        actor.Tell(new TimerActor.StartSingle("first", TimeSpan.FromSeconds(1), Key: "k"));
        ExpectMsg("started");
        actor.Tell(new TimerActor.StartSingle("second", TimeSpan.FromSeconds(2), Key: "k"));
        ExpectMsg("started");
        Time.Advance(TimeSpan.FromSeconds(3));
        ExpectMsg("second");
        ExpectNoMsg();
    }

    private sealed class TimerActor : ReceiveActor, IWithTimers
    {
        public sealed record StartSingle(string Message, TimeSpan Delay, string Key = "single");

        public sealed record StartPeriodic(string Message, TimeSpan Interval);

        public TimerActor(IActorRef reporter, ManualResetEventSlim? gate = null)
        {
            Receive<StartSingle>(s =>
            {
                Timers.StartSingleTimer(s.Key, s.Message, s.Delay);
                reporter.Tell("started");
            });
            Receive<StartPeriodic>(p =>
            {
                Timers.StartPeriodicTimer("periodic", p.Message, p.Interval);
                reporter.Tell("started");
            });
            Receive<string>(_ =>
            {
                Timers.CancelAll();
                reporter.Tell("cancelled");
            }, s => s == "cancel");
            Receive<string>(_ =>
            {
                reporter.Tell("blocking");
                gate?.Wait();
            }, s => s == "block");
            Receive<Exception>(e => throw e);
            Receive<string>(s => reporter.Tell(s));
            Reporter = reporter;
        }

        public ITimerScheduler Timers { get; set; } = null!;

        private IActorRef Reporter { get; }

        protected override void PostRestart(Exception reason) => Reporter.Tell("restarted");
    }
}
