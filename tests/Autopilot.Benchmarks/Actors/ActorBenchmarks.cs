using System.Diagnostics;
using Autopilot.Actors;
using Autopilot.Actors.Configuration;

namespace Autopilot.Benchmarks.Actors;

/// <summary>
/// Runtime benchmarks, each run on Autopilot.Actors and on a bare channel actor in the same process:
/// windowed ping-pong, strict round trips, one-way tells, ask, spawn + first message, and heap per idle actor.
/// </summary>
public static class ActorBenchmarks
{
    private const int Window = 1_000;

    public static Task RunAsync(string[] args)
    {
        var runs = args.SkipWhile(a => a != "--runs").Skip(1).Select(int.Parse).FirstOrDefault(5);
        var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
        Console.WriteLine($"# Actor runtime benchmarks: {runs} measured runs per row (after one warm-up), median [min–max]");
        Console.WriteLine($"# {Environment.ProcessorCount} cores, .NET {Environment.Version}, Server GC: {System.Runtime.GCSettings.IsServerGC}");
        Console.WriteLine($"{"scenario",-44} {"Autopilot.Actors",28} {"bare Channel actor",28}");

        foreach (var pairs in new[] { 1, 2, 10, 64 })
        {
            var messages = pairs <= 2 ? 4_000_000L : 8_000_000L;
            Row(only, $"windowed ping-pong, {pairs} pair(s), msgs/s", runs,
                () => ActorPingPong(pairs, messages / pairs),
                () => ChannelPingPong(pairs, messages / pairs));
        }

        Row(only, "strict request/reply, round trips/s", runs, () => ActorRoundTrips(300_000), () => ChannelRoundTrips(300_000));
        Row(only, "one-way tells from outside, msgs/s", runs, () => ActorTells(10_000_000), () => ChannelTells(10_000_000));
        Row(only, "ask round trips (sequential), asks/s", runs, () => ActorAsks(200_000), () => ChannelAsks(200_000));
        Row(only, "spawn + first message (100,000), spawns/s", runs, () => ActorSpawn(100_000), () => ChannelSpawn(100_000));
        if (only is null || "heap".Contains(only, StringComparison.OrdinalIgnoreCase))
        {
            Console.WriteLine($"{"live heap bytes per idle actor (100,000)",-44} {ActorHeapPerIdle(100_000),28:0} {ChannelHeapPerIdle(100_000),28:0}");
        }

        return Task.CompletedTask;
    }

    private static void Row(string? only, string name, int runs, Func<(long, TimeSpan)> actors, Func<(long, TimeSpan)> channels)
    {
        if (only is not null && !name.Contains(only, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var a = Measurement.Rate(runs, actors);
        var c = Measurement.Rate(runs, channels);
        Console.WriteLine($"{name,-44} {Cell(a),28} {Cell(c),28}");
        static string Cell((double Median, double Min, double Max) r) =>
            $"{Measurement.Format(r.Median)} [{Measurement.Format(r.Min)}–{Measurement.Format(r.Max)}]";
    }

    private static ActorSystem NewSystem() => ActorSystem.Create("bench", ConfigurationFactory.ParseString(
        "autopilot.stdout-loglevel = ERROR\nautopilot.actor.throughput = ${?AUTOPILOT_THROUGHPUT}"));

    private static void Shutdown(ActorSystem system) => system.Terminate().Wait();

    // ---- windowed ping-pong -------------------------------------------------------------------------------

    private sealed class Ball
    {
        public static readonly Ball Instance = new();
    }

    private sealed class Echo : ActorBase
    {
        protected override bool Receive(object message)
        {
            Sender.Tell(message, Self);
            return true;
        }
    }

    private sealed class Client(IActorRef echo, long total, CountdownEvent done) : ActorBase
    {
        private long _sent;
        private long _received;

        protected override bool Receive(object message)
        {
            if (message is string)
            {
                for (var i = 0; i < Window && _sent < total; i++, _sent++)
                {
                    echo.Tell(Ball.Instance, Self);
                }

                return true;
            }

            if (++_received == total)
            {
                done.Signal();
            }
            else if (_sent < total)
            {
                _sent++;
                echo.Tell(Ball.Instance, Self);
            }

            return true;
        }
    }

    private static (long, TimeSpan) ActorPingPong(int pairs, long perPair)
    {
        var system = NewSystem();
        using var done = new CountdownEvent(pairs);
        var clients = Enumerable.Range(0, pairs)
            .Select(i => system.ActorOf(Props.Create(() => new Client(system.ActorOf(Props.Create<Echo>()), perPair, done))))
            .ToArray();
        var result = Measurement.Time(pairs * perPair * 2, () =>
        {
            foreach (var client in clients)
            {
                client.Tell("go");
            }

            done.Wait();
        });
        Shutdown(system);
        return result;
    }

    private static (long, TimeSpan) ChannelPingPong(int pairs, long perPair)
    {
        using var done = new CountdownEvent(pairs);
        var actors = new List<ChannelActor>();
        var starts = new List<Action>();
        for (var p = 0; p < pairs; p++)
        {
            var echo = ChannelActor.Start((self, m, sender) => sender!.Tell(m, self));
            long sent = 0, received = 0;
            var client = ChannelActor.Start((self, m, _) =>
            {
                if (m is string)
                {
                    for (var i = 0; i < Window && sent < perPair; i++, sent++)
                    {
                        echo.Tell(Ball.Instance, self);
                    }
                }
                else if (++received == perPair)
                {
                    done.Signal();
                }
                else if (sent < perPair)
                {
                    sent++;
                    echo.Tell(Ball.Instance, self);
                }
            });
            actors.Add(echo);
            actors.Add(client);
            starts.Add(() => client.Tell("go"));
        }

        var result = Measurement.Time(pairs * perPair * 2, () =>
        {
            starts.ForEach(s => s());
            done.Wait();
        });
        actors.ForEach(a => a.Stop());
        return result;
    }

    // ---- strict round trips: one message in flight ---------------------------------------------------------

    private sealed class RoundTripClient(IActorRef echo, long total, ManualResetEventSlim done) : ActorBase
    {
        private long _count;

        protected override bool Receive(object message)
        {
            if (message is not string && ++_count == total)
            {
                done.Set();
                return true;
            }

            echo.Tell(Ball.Instance, Self);
            return true;
        }
    }

    private static (long, TimeSpan) ActorRoundTrips(long total)
    {
        var system = NewSystem();
        using var done = new ManualResetEventSlim();
        var client = system.ActorOf(Props.Create(() => new RoundTripClient(system.ActorOf(Props.Create<Echo>()), total, done)));
        var result = Measurement.Time(total, () =>
        {
            client.Tell("go");
            done.Wait();
        });
        Shutdown(system);
        return result;
    }

    private static (long, TimeSpan) ChannelRoundTrips(long total)
    {
        using var done = new ManualResetEventSlim();
        var echo = ChannelActor.Start((self, m, sender) => sender!.Tell(m, self));
        long count = 0;
        var client = ChannelActor.Start((self, m, _) =>
        {
            if (m is not string && ++count == total)
            {
                done.Set();
                return;
            }

            echo.Tell(Ball.Instance, self);
        });
        var result = Measurement.Time(total, () =>
        {
            client.Tell("go");
            done.Wait();
        });
        echo.Stop();
        client.Stop();
        return result;
    }

    // ---- one-way tells from outside ------------------------------------------------------------------------

    private sealed class Sink(long total, ManualResetEventSlim done) : ActorBase
    {
        private long _count;

        protected override bool Receive(object message)
        {
            if (++_count == total)
            {
                done.Set();
            }

            return true;
        }
    }

    private static (long, TimeSpan) ActorTells(long total)
    {
        var system = NewSystem();
        using var done = new ManualResetEventSlim();
        var sink = system.ActorOf(Props.Create(() => new Sink(total, done)));
        var result = Measurement.Time(total, () =>
        {
            for (var i = 0; i < total; i++)
            {
                sink.Tell(Ball.Instance);
            }

            done.Wait();
        });
        Shutdown(system);
        return result;
    }

    private static (long, TimeSpan) ChannelTells(long total)
    {
        using var done = new ManualResetEventSlim();
        long count = 0;
        var sink = ChannelActor.Start((_, _, _) =>
        {
            if (++count == total)
            {
                done.Set();
            }
        });
        var result = Measurement.Time(total, () =>
        {
            for (var i = 0; i < total; i++)
            {
                sink.Tell(Ball.Instance);
            }

            done.Wait();
        });
        sink.Stop();
        return result;
    }

    // ---- ask ------------------------------------------------------------------------------------------------

    private static (long, TimeSpan) ActorAsks(long total)
    {
        var system = NewSystem();
        var echo = system.ActorOf(Props.Create<Echo>());
        var result = Measurement.Time(total, () =>
        {
            for (var i = 0; i < total; i++)
            {
                echo.Ask<Ball>(Ball.Instance).GetAwaiter().GetResult();
            }
        });
        Shutdown(system);
        return result;
    }

    private static (long, TimeSpan) ChannelAsks(long total)
    {
        var echo = ChannelActor.Start((_, m, _) => ((TaskCompletionSource<object>)m).TrySetResult(Ball.Instance));
        var result = Measurement.Time(total, () =>
        {
            for (var i = 0; i < total; i++)
            {
                var reply = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
                echo.Tell(reply);
                reply.Task.GetAwaiter().GetResult();
            }
        });
        echo.Stop();
        return result;
    }

    // ---- spawn + first message, and heap per idle actor -----------------------------------------------------

    private sealed class Greeter(CountdownEvent replies) : ActorBase
    {
        protected override bool Receive(object message)
        {
            replies.Signal();
            return true;
        }
    }

    private static (long, TimeSpan) ActorSpawn(int count)
    {
        var system = NewSystem();
        using var replies = new CountdownEvent(count);
        var props = Props.Create(() => new Greeter(replies));
        var result = Measurement.Time(count, () =>
        {
            for (var i = 0; i < count; i++)
            {
                system.ActorOf(props).Tell(Ball.Instance);
            }

            replies.Wait();
        });
        Shutdown(system);
        return result;
    }

    private static (long, TimeSpan) ChannelSpawn(int count)
    {
        using var replies = new CountdownEvent(count);
        var actors = new ChannelActor[count];
        var result = Measurement.Time(count, () =>
        {
            for (var i = 0; i < count; i++)
            {
                actors[i] = ChannelActor.Start((_, _, _) => replies.Signal());
                actors[i].Tell(Ball.Instance);
            }

            replies.Wait();
        });
        foreach (var actor in actors)
        {
            actor.Stop();
        }

        return result;
    }

    private static double ActorHeapPerIdle(int count)
    {
        var system = NewSystem();
        using var replies = new CountdownEvent(count);
        var props = Props.Create(() => new Greeter(replies));
        var before = Settle();
        for (var i = 0; i < count; i++)
        {
            system.ActorOf(props).Tell(Ball.Instance);
        }

        replies.Wait();
        var perActor = (Settle() - before) / (double)count;
        Shutdown(system);
        return perActor;
    }

    private static double ChannelHeapPerIdle(int count)
    {
        using var replies = new CountdownEvent(count);
        var before = Settle();
        var actors = new ChannelActor[count];
        for (var i = 0; i < count; i++)
        {
            actors[i] = ChannelActor.Start((_, _, _) => replies.Signal());
            actors[i].Tell(Ball.Instance);
        }

        replies.Wait();
        Thread.Sleep(200); // let every consumer task park in WaitToReadAsync
        var perActor = (Settle() - before) / (double)count;
        GC.KeepAlive(actors);
        foreach (var actor in actors)
        {
            actor.Stop();
        }

        return perActor;
    }

    private static long Settle()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
