using System.Diagnostics;
using Akka.Actor;
using Autopilot.Benchmarks.Stacks;
using Autopilot.Benchmarks.Reporting;

namespace Autopilot.Benchmarks.Persistence;

/// <summary>
/// Persistent actors on Akka.Persistence.Sql: one actor persisting one event at a time, sixteen doing so at once,
/// one persisting batches of 100 (PersistAll), and the recovery of one actor from 100,000 events. Each measurement
/// starts a fresh actor system from <paramref name="start"/> (see <see cref="AkkaStack"/>); the journal is started and
/// every writer recovered before the clock starts, so the figures are the writes alone.
/// </summary>
internal sealed class AkkaJournalCase(string backEnd, string profile, Func<Task<RunningSystem>> start) : IPersistenceCase
{
    public string BackEnd => backEnd;

    public string Name => $"Akka.Persistence.Sql, {profile}";

    /// <summary>Called after the warm-up and before the clock starts (the breakdown resets its counters here).</summary>
    public Action? BeforeMeasuring { get; init; }

    /// <summary>The journal settings the running system actually has (so a table says what "defaults" and "shipped" were).</summary>
    public async Task<string> DescribeAsync()
    {
        await using var running = await start();
        var journal = running.System.Settings.Config.GetConfig("akka.persistence.journal.sql");
        return $"batch-size={journal.GetInt("batch-size")} parallelism={journal.GetInt("parallelism")} "
               + $"max-row-by-row-size={journal.GetInt("max-row-by-row-size")} replay-batch-size={journal.GetString("replay-batch-size")} "
               + $"table-mapping={journal.GetString("table-mapping")} provider={journal.GetString("provider-name")}";
    }

    public async Task<ThroughputResult> WriteAsync(int writers, int batch, TimeSpan duration)
    {
        await using var running = await start();
        var system = running.System;
        var run = Guid.NewGuid().ToString("N");
        var actors = Enumerable.Range(0, writers).Select(w => system.ActorOf(BenchmarkWriter.Props($"w-{run}-{w}"))).ToArray();
        // Recovery (an empty stream) and the journal's own start happen here, not inside the measured window.
        await Task.WhenAll(actors.Select(a => a.Ask<BenchmarkWriter.Recovered>(new BenchmarkWriter.GetRecovered(), TimeSpan.FromMinutes(1))));
        BeforeMeasuring?.Invoke();
        var started = Stopwatch.GetTimestamp();
        var results = await Task.WhenAll(actors.Select(a =>
            a.Ask<BenchmarkWriter.Wrote>(new BenchmarkWriter.Run(started, duration, batch), duration + TimeSpan.FromMinutes(2))));
        var elapsed = Stopwatch.GetElapsedTime(started);
        return ThroughputResult.From(results.Sum(r => (long)r.Events), elapsed, results.SelectMany(r => r.Latencies));
    }

    public async Task FillAsync(string persistenceId, int events)
    {
        await using var running = await start();
        await running.System.ActorOf(BenchmarkWriter.Props(persistenceId))
            .Ask<BenchmarkWriter.Filled>(new BenchmarkWriter.Fill(events), TimeSpan.FromMinutes(10));
    }

    public async Task<TimeSpan> RecoverAsync(string persistenceId, int expected)
    {
        // A fresh actor system each time, as a restarted node has: nothing cached but the database's own pages.
        await using var running = await start();
        var system = running.System;
        // Warm the plugin (connection, JIT) on another id so the figure is the replay itself.
        await system.ActorOf(BenchmarkWriter.Props($"warm-{Guid.NewGuid():N}")).Ask<BenchmarkWriter.Recovered>(new BenchmarkWriter.GetRecovered(), TimeSpan.FromMinutes(1));
        BeforeMeasuring?.Invoke();
        var clock = Stopwatch.StartNew();
        var recovered = await system.ActorOf(BenchmarkWriter.Props(persistenceId))
            .Ask<BenchmarkWriter.Recovered>(new BenchmarkWriter.GetRecovered(), TimeSpan.FromMinutes(10));
        clock.Stop();
        if (recovered.Events != expected)
            throw new InvalidOperationException($"Recovery replayed {recovered.Events} events, expected {expected}.");
        return clock.Elapsed;
    }
}

/// <summary>One way of storing events, measured the same way as the others.</summary>
internal interface IPersistenceCase
{
    string BackEnd { get; }

    string Name { get; }

    /// <summary><paramref name="writers"/> writers, each writing <paramref name="batch"/> events at a time and waiting for each write, for <paramref name="duration"/>.</summary>
    Task<ThroughputResult> WriteAsync(int writers, int batch, TimeSpan duration);

    /// <summary>Writes <paramref name="events"/> events to one stream, for <see cref="RecoverAsync"/>.</summary>
    Task FillAsync(string persistenceId, int events);

    /// <summary>Reads the stream back from a fresh start.</summary>
    Task<TimeSpan> RecoverAsync(string persistenceId, int expected);
}

/// <summary>Events per second and write latency percentiles of one run.</summary>
internal sealed record ThroughputResult(double EventsPerSecond, double P50, double P99)
{
    public static ThroughputResult From(long events, TimeSpan elapsed, IEnumerable<double> latencies)
    {
        var sorted = latencies.Order().ToArray();
        return new ThroughputResult(events / elapsed.TotalSeconds, BenchmarkConsole.Percentile(sorted, 0.50), BenchmarkConsole.Percentile(sorted, 0.99));
    }
}
