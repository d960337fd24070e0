using System.Diagnostics;
using Akka.Actor;
using Akka.Persistence;

namespace Autopilot.Benchmarks.Persistence;

/// <summary>
/// A persistent actor that writes for a fixed time as a real one would: each Persist (or PersistAll of
/// <see cref="Run.Batch"/> events) waits for the journal before the next, and it records how long each write took.
/// </summary>
internal sealed class BenchmarkWriter : ReceivePersistentActor
{
    private readonly string _persistenceId;
    private readonly List<double> _latencies = [];
    private Run? _run;
    private IActorRef? _replyTo;
    private long _started;
    private int _written;

    public BenchmarkWriter(string persistenceId)
    {
        _persistenceId = persistenceId;
        Recover<string>(_ => _written++);
        Command<Run>(run =>
        {
            _run = run;
            _replyTo = Sender;
            WriteNext();
        });
        Command<Fill>(fill =>
        {
            _replyTo = Sender;
            var left = fill.Events;
            void Next()
            {
                var batch = Enumerable.Range(0, Math.Min(1000, left)).Select(i => Payload(left - i)).ToArray();
                left -= batch.Length;
                PersistAll(batch, e =>
                {
                    if (ReferenceEquals(e, batch[^1]))
                    {
                        if (left > 0) Next();
                        else _replyTo!.Tell(new Filled());
                    }
                });
            }

            Next();
        });
        Command<GetRecovered>(_ => Sender.Tell(new Recovered(_written)));
    }

    public override string PersistenceId => _persistenceId;

    /// <summary>An event of about 100 bytes, like a small audit record.</summary>
    private static string Payload(long n) => $"benchmark event {n:D12} " + new string('x', 70);

    private void WriteNext()
    {
        var run = _run!;
        if (Stopwatch.GetElapsedTime(run.StartedAt) >= run.Duration)
        {
            _replyTo!.Tell(new Wrote(_written, _latencies.ToArray()));
            return;
        }

        _started = Stopwatch.GetTimestamp();
        if (run.Batch == 1)
        {
            Persist(Payload(_written), _ => Done(1));
            return;
        }

        var events = Enumerable.Range(0, run.Batch).Select(i => Payload(_written + i)).ToArray();
        PersistAll(events, e =>
        {
            if (ReferenceEquals(e, events[^1])) Done(events.Length);
        });
    }

    private void Done(int events)
    {
        _latencies.Add(Stopwatch.GetElapsedTime(_started).TotalMilliseconds);
        _written += events;
        WriteNext();
    }

    public static Props Props(string persistenceId) => Akka.Actor.Props.Create(() => new BenchmarkWriter(persistenceId));

    /// <summary>Write until <see cref="Duration"/> after <see cref="StartedAt"/> has passed, <see cref="Batch"/> events a write.</summary>
    public sealed record Run(long StartedAt, TimeSpan Duration, int Batch);

    /// <summary>Events written and the latency of each write, in ms.</summary>
    public sealed record Wrote(int Events, double[] Latencies);

    /// <summary>Write <see cref="Events"/> events in batches of 1,000, as fast as the journal takes them.</summary>
    public sealed record Fill(int Events);

    /// <summary>The fill is journaled.</summary>
    public sealed record Filled;

    /// <summary>How many events recovery replayed.</summary>
    public sealed record GetRecovered;

    /// <summary>The answer to <see cref="GetRecovered"/>.</summary>
    public sealed record Recovered(int Events);
}
