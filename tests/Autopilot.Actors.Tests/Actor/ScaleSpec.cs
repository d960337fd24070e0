using System.Diagnostics;
using Autopilot.Actors;
using Xunit;

namespace Autopilot.Actors.Tests.Actor;

public sealed class ScaleSpec() : TestKit.TestKit(virtualTime: true)
{
    [Fact]
    public void Ten_thousand_actors_with_timers_start_and_stop_without_leaking_timers_or_threads()
    {
        const int count = 10_000;
        var threadsBefore = Process.GetCurrentProcess().Threads.Count;
        var parent = ActorOf(Props.Create(() => new SpawningParent(count)), "spawner");
        parent.Tell("spawn", TestActor);
        ExpectMsg("spawned", TimeSpan.FromSeconds(60));
        parent.Tell("ping-all", TestActor);
        Assert.Equal(count, ReceiveN(count, TimeSpan.FromSeconds(60)).Count);
        Assert.Equal(count, Sys.Scheduler.ActiveTimers);

        Watch(parent);
        Sys.Stop(parent);
        ExpectTerminated(parent, TimeSpan.FromSeconds(60));
        Assert.Equal(0, Sys.Scheduler.ActiveTimers);
        Assert.Equal(0, Time.PendingTimers);

        // The runtime runs on the shared thread pool: 10,000 actors must not mean thousands of threads.
        var threadsAfter = Process.GetCurrentProcess().Threads.Count;
        Assert.True(threadsAfter - threadsBefore < 100, $"thread count grew from {threadsBefore} to {threadsAfter}");
    }

    private sealed class SpawningParent : ReceiveActor
    {
        public SpawningParent(int count)
        {
            Receive<string>(_ =>
            {
                for (var i = 0; i < count; i++)
                {
                    Context.ActorOf(Props.Create(() => new TimedChild()), $"child-{i}");
                }

                Sender.Tell("spawned");
            }, s => s == "spawn");
            Receive<string>(_ =>
            {
                foreach (var child in Context.Children)
                {
                    child.Tell("ping", Sender);
                }
            }, s => s == "ping-all");
        }
    }

    private sealed class TimedChild : ReceiveActor, IWithTimers
    {
        public TimedChild()
        {
            Timers.StartPeriodicTimer("heartbeat", "beat", TimeSpan.FromMinutes(1));
            Receive<string>(_ => Sender.Tell("pong"), s => s == "ping");
            Receive<string>(_ => { });
        }

        public ITimerScheduler Timers { get; set; } = null!;
    }
}
