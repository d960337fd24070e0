using System.Diagnostics;
using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.Snapshots;
using Autopilot.Actors.Persistence.TCK;
using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Actors.Sql;
using Microsoft.Extensions.Logging.Abstractions;
using Autopilot.Benchmarks.Reporting;

namespace Autopilot.Benchmarks.Persistence;

/// <summary>
/// Journal throughput, write latency and recovery time on SQLite and PostgreSQL with the journals' own durability
/// (SQLite WAL with synchronous=NORMAL: an acknowledged write survives a process crash; PostgreSQL
/// synchronous_commit=on and fsync=on). Writers await each write before the
/// next, as a persistent actor's Persist does, so throughput with many writers comes from the group commit.
/// </summary>
public static class PersistenceBenchmark
{
    private const int RecoveryEvents = 100_000;
    private const int SnapshotAt = 99_000;

    /// <summary>
    /// Runs the scenario and prints a table. Options: <c>--seconds N</c> per throughput run (default 3), <c>--runs N</c>
    /// runs of each throughput case (default 3; events/s as median [min–max], latencies as the medians of the runs'),
    /// <c>--backend inmem|sqlite|postgresql|all</c> (inmem: the persistent-actor burst alone).
    /// </summary>
    public static async Task RunAsync(string[] args)
    {
        var seconds = BenchmarkConsole.Option(args, "--seconds") is { } s ? double.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 3;
        var runs = BenchmarkConsole.Option(args, "--runs") is { } r ? int.Parse(r, System.Globalization.CultureInfo.InvariantCulture) : 3;
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1, "--runs");
        var backend = BenchmarkConsole.Option(args, "--backend") ?? "all";
        var length = new RunLength(TimeSpan.FromSeconds(seconds), runs);
        var rows = new List<string[]>();

        // Both databases live under the temp directory (ThrowawayPostgres too), so its disk sets the commit floor.
        var (flushP50, flushP99) = DiskFlushProbe.Measure(Path.GetTempPath());
        Console.WriteLine($"# disk flush under {Path.GetTempPath()} (8 KiB write + fsync): p50 {flushP50:F3} ms, p99 {flushP99:F3} ms");
        Console.WriteLine($"# throughput: {runs} run(s) of {seconds:0.#} s per case, events/s median [min–max], p50/p99 medians of the runs");

        if (backend is "all" or "inmem")
            rows.AddRange(await PersistentActorBurst.MeasureAsync([1_000, 10_000, 30_000]));

        if (backend is "all" or "sqlite")
        {
            var directory = Path.Combine(Path.GetTempPath(), $"autopilot-bench-{Guid.NewGuid():N}");
            Directory.CreateDirectory(directory);
            try
            {
                rows.AddRange(await MeasureAsync("SQLite", PersistencePlugins.Sqlite, $"Data Source={Path.Combine(directory, "journal.db")}", length));
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        if (backend is "all" or "postgresql")
        {
            using var server = await ThrowawayPostgres.StartNewAsync();
            rows.AddRange(await MeasureAsync("PostgreSQL", PersistencePlugins.PostgreSql, await server.CreateDatabaseAsync("bench"), length));
        }

        BenchmarkConsole.PrintTable(["back end", "case", "events/s", "p50 ms", "p99 ms", "time"], rows, textColumns: 2);
    }

    private static async Task<List<string[]>> MeasureAsync(string name, string plugin, string connectionString, RunLength length)
    {
        var rows = new List<string[]>();
        await using (var store = await OpenAsync(plugin, connectionString))
        {
            await WritersAsync(store.Journal, "warmup", 4, 1, TimeSpan.FromSeconds(1));
            foreach (var (label, writers, batch) in new[] { ("1 writer, Persist", 1, 1), ("16 writers, Persist", 16, 1), ("1 writer, PersistAll x100", 1, 100) })
            {
                var results = new List<ThroughputResult>();
                for (var run = 0; run < length.Runs; run++)
                    results.Add(await WritersAsync(store.Journal, $"{label.Replace(' ', '_')}-{run}", writers, batch, length.PerRun));
                var rates = results.Select(r => r.EventsPerSecond).Order().ToArray();
                var range = rates.Length == 1 ? "" : $" [{rates[0]:N0}–{rates[^1]:N0}]";
                rows.Add([name, label, $"{BenchmarkConsole.Median(rates):N0}{range}", $"{BenchmarkConsole.Median(results.Select(r => r.P50)):F2}", $"{BenchmarkConsole.Median(results.Select(r => r.P99)):F2}", ""]);
                Console.Error.WriteLine($"{name}: {label} done");
            }

            await FillRecoveryStreamAsync(store);
        }

        // Recovery on a freshly opened journal, as a restarted node does; the first pass warms the JIT and caches.
        await using (var store = await OpenAsync(plugin, connectionString))
        {
            await RecoverAsync(store, useSnapshot: false);
            var full = await MedianRecoveryMillisecondsAsync(store, useSnapshot: false);
            var snapshot = await MedianRecoveryMillisecondsAsync(store, useSnapshot: true);
            rows.Add([name, $"recover {RecoveryEvents:N0} events, replay all", "", "", "", $"{full:F0} ms"]);
            rows.Add([name, $"recover {RecoveryEvents:N0} events, snapshot@{SnapshotAt:N0} + tail", "", "", "", $"{snapshot:F0} ms"]);
        }

        return rows;
    }

    private static async Task<PersistencePlugin> OpenAsync(string plugin, string connectionString)
    {
        var store = PersistencePlugins.Create(plugin, connectionString, PersistenceSpec.CreateSerializer(), NullLogger.Instance, TimeProvider.System);
        await store.StartAsync(CancellationToken.None);
        return store;
    }

    private static async Task<ThroughputResult> WritersAsync(IEventJournal journal, string label, int writers, int batch, TimeSpan duration)
    {
        var latencies = new List<double>[writers];
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var pid = $"{label}-{w}-{Guid.NewGuid():N}";
            var mine = latencies[w] = [];
            var next = 1L;
            while (total.Elapsed < duration)
            {
                var events = new PersistentEvent[batch];
                for (var i = 0; i < batch; i++)
                    events[i] = new PersistentEvent(pid, next + i, new TckNote("benchmark event", (int)(next + i)), [], DateTimeOffset.UtcNow);
                var started = Stopwatch.GetTimestamp();
                await journal.WriteAsync(new AtomicWrite(pid, events));
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                next += batch;
            }
        })));
        var elapsed = total.Elapsed;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new ThroughputResult(all.Length * batch / elapsed.TotalSeconds, BenchmarkConsole.Percentile(all, 0.50), BenchmarkConsole.Percentile(all, 0.99));
    }

    private static async Task FillRecoveryStreamAsync(PersistencePlugin store)
    {
        var state = new TckCounterState(0, 0);
        for (var from = 1; from <= RecoveryEvents; from += 1000)
        {
            var events = Enumerable.Range(from, 1000)
                .Select(seq => new PersistentEvent("recovery", seq, new TckNote("recovery event", seq), [], DateTimeOffset.UtcNow))
                .ToArray();
            await store.Journal.WriteAsync(new AtomicWrite("recovery", events));
            foreach (var e in events)
            {
                state = state.Apply((TckNote)e.Payload);
                if (e.SequenceNr == SnapshotAt)
                    await store.SnapshotStore.SaveAsync(new SnapshotMetadata("recovery", SnapshotAt, DateTimeOffset.UtcNow), state);
            }
        }
    }

    /// <summary>What a persistent actor does on start: newest snapshot (if used), then replay the rest and apply it.</summary>
    private static async Task<TimeSpan> RecoverAsync(PersistencePlugin store, bool useSnapshot)
    {
        var clock = Stopwatch.StartNew();
        var state = new TckCounterState(0, 0);
        var from = 1L;
        if (useSnapshot && await store.SnapshotStore.LoadAsync("recovery", SnapshotSelectionCriteria.Latest) is { } snapshot)
        {
            state = (TckCounterState)snapshot.Snapshot;
            from = snapshot.Metadata.SequenceNr + 1;
        }

        await foreach (var envelope in store.Journal.ReplayAsync("recovery", from, long.MaxValue))
            state = state.Apply((TckNote)envelope.Event);
        clock.Stop();
        if (state.Count != RecoveryEvents)
            throw new InvalidOperationException($"Recovery rebuilt {state.Count} events, expected {RecoveryEvents}.");
        return clock.Elapsed;
    }

    /// <summary>The median of three recoveries, in ms.</summary>
    private static async Task<double> MedianRecoveryMillisecondsAsync(PersistencePlugin store, bool useSnapshot)
    {
        var times = new List<double>();
        for (var i = 0; i < 3; i++)
            times.Add((await RecoverAsync(store, useSnapshot)).TotalMilliseconds);
        return BenchmarkConsole.Median(times);
    }

    private sealed record ThroughputResult(double EventsPerSecond, double P50, double P99);

    /// <summary>How long each throughput run lasts and how many runs each case gets.</summary>
    private sealed record RunLength(TimeSpan PerRun, int Runs);
}
