using System.Diagnostics;
using System.Globalization;
using Autopilot.Benchmarks.Reporting;
using Autopilot.Testing.PostgreSql;
using Autopilot.Benchmarks.Stacks;
using Autopilot.Daemon.Configuration;
using LinqToDB;
using Microsoft.Data.Sqlite;

namespace Autopilot.Benchmarks.Persistence;

/// <summary>
/// Akka.Persistence.Sql beside the raw database on the same machine and run: 1 actor Persist, 16 actors Persist,
/// PersistAll x100 and the recovery of 100,000 events, on SQLite and PostgreSQL, first with the plugin's defaults and
/// then with the settings the daemon ships. Prints figures, asserts nothing.
/// </summary>
public static class PersistenceBenchmark
{
    private const int RecoveryEvents = 100_000;

    /// <summary>
    /// Options: <c>--seconds N</c> per throughput run (default 3), <c>--runs N</c> runs of each case (default 3; events/s as
    /// median [min–max], latencies as medians of the runs'), <c>--backend sqlite|postgresql|all</c>.
    /// </summary>
    public static async Task RunAsync(string[] args)
    {
        var seconds = double.Parse(BenchmarkConsole.Option(args, "--seconds") ?? "3", CultureInfo.InvariantCulture);
        var runs = int.Parse(BenchmarkConsole.Option(args, "--runs") ?? "3", CultureInfo.InvariantCulture);
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1, "--runs");
        var backend = BenchmarkConsole.Option(args, "--backend") ?? "all";
        var breakdown = args.Contains("--breakdown");
        if (args.Contains("--replay-only"))
        {
            // For a profiler (perf): only the shipped stack's replay of 100,000 events, --runs times, on --backend.
            await ReplayOnlyAsync(backend, runs);
            return;
        }

        var duration = TimeSpan.FromSeconds(seconds);
        var rows = new List<string[]>();

        var (flushP50, flushP99) = DiskFlushProbe.Measure(Path.GetTempPath());
        Console.WriteLine($"# disk flush under {Path.GetTempPath()} (8 KiB write + fsync): p50 {flushP50:F3} ms, p99 {flushP99:F3} ms");
        Console.WriteLine($"# {runs} run(s) of {seconds:0.#} s per case; events/s median [min–max]; p50/p99 write latency medians of the runs; recovery median [min–max] of {runs}");

        if (backend is "all" or "sqlite")
        {
            var directory = Path.Combine(Path.GetTempPath(), $"autopilot-bench-{Guid.NewGuid():N}");
            Directory.CreateDirectory(directory);
            try
            {
                string File(string name) => Path.Combine(directory, name);
                string Cs(string name) => new SqliteConnectionStringBuilder { DataSource = File(name) }.ToString();
                var cases = new IPersistenceCase[]
                {
                    await RawDatabaseCase.SqliteAsync(File("raw-normal.db"), "NORMAL"),
                    await RawDatabaseCase.SqliteAsync(File("raw-full.db"), "FULL"),
                    new AkkaJournalCase("SQLite", "defaults (rollback journal)", AkkaStack.PluginDefaults(ProviderName.SQLiteMS, Cs("akka-default.db"))),
                    new AkkaJournalCase("SQLite", "shipped (daemon: WAL, synchronous=normal)", AkkaStack.Daemon(JournalSelection.Sqlite, Cs("akka-shipped.db"))),
                    new AkkaJournalCase("SQLite", "daemon with synchronous=full", AkkaStack.Daemon(JournalSelection.Sqlite, Cs("akka-full.db"), "autopilot.persistence.sqlite.synchronous = full")),
                };
                if (breakdown)
                {
                    await BreakdownAsync("SQLite", "defaults", trace => AkkaStack.PluginDefaults(ProviderName.SQLiteMS, Cs("bd-default.db"), trace), duration);
                    await BreakdownAsync("SQLite", "shipped", trace => AkkaStack.Daemon(JournalSelection.Sqlite, Cs("bd-shipped.db"), trace: trace), duration);
                }
                else
                {
                    foreach (var store in cases)
                        rows.AddRange(await MeasureAsync(store, runs, duration));
                }
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                Directory.Delete(directory, recursive: true);
            }
        }

        if (backend is "all" or "postgresql")
        {
            using var server = await ThrowawayPostgres.StartNewAsync();
            if (breakdown)
            {
                var defaults = await server.CreateDatabaseAsync("bd_default");
                var shipped = await server.CreateDatabaseAsync("bd_shipped");
                await BreakdownAsync("PostgreSQL", "defaults", trace => AkkaStack.PluginDefaults(ProviderName.PostgreSQL15, defaults, trace), duration);
                await BreakdownAsync("PostgreSQL", "shipped", trace => AkkaStack.Daemon(JournalSelection.PostgreSql, shipped, trace: trace), duration);
            }
            else
            {
                rows.AddRange(await MeasureAsync(await RawDatabaseCase.PostgresAsync(await server.CreateDatabaseAsync("raw")), runs, duration));
                rows.AddRange(await MeasureAsync(new AkkaJournalCase("PostgreSQL", "defaults", AkkaStack.PluginDefaults(ProviderName.PostgreSQL15, await server.CreateDatabaseAsync("akka_default"))), runs, duration));
                rows.AddRange(await MeasureAsync(new AkkaJournalCase("PostgreSQL", "shipped (daemon)", AkkaStack.Daemon(JournalSelection.PostgreSql, await server.CreateDatabaseAsync("akka_shipped"))), runs, duration));
            }
        }

        if (!breakdown)
            BenchmarkConsole.PrintTable(["back end", "store", "case", "events/s", "p50 ms", "p99 ms", "time"], rows, textColumns: 3);
    }

    /// <summary>
    /// One traced run of 16 writers, one of 1 writer and one traced replay of 100,000 events for a stack: prints the
    /// journal's settings as the running system sees them and the database commands behind the figures.
    /// </summary>
    private static async Task BreakdownAsync(string backEnd, string profile, Func<Action<LinqToDB.Data.TraceInfo>, Func<Task<RunningSystem>>> stack, TimeSpan duration)
    {
        var trace = new JournalTrace();
        var start = stack(trace.OnTrace);
        var store = new AkkaJournalCase(backEnd, profile, start) { BeforeMeasuring = trace.Reset };
        Console.WriteLine($"# {backEnd} {profile}: {await store.DescribeAsync()}");
        await store.WriteAsync(4, 1, TimeSpan.FromSeconds(1));
        foreach (var writers in new[] { 1, 16 })
        {
            var clock = Stopwatch.StartNew();
            var result = await store.WriteAsync(writers, 1, duration);
            clock.Stop();
            trace.Print($"{backEnd} {profile}, {writers} writer(s) Persist: {result.EventsPerSecond:N0} events/s, p50 {result.P50:F2} ms, p99 {result.P99:F2} ms",
                duration, (long)(result.EventsPerSecond * duration.TotalSeconds));
        }

        var stream = $"recovery-{Guid.NewGuid():N}";
        await store.FillAsync(stream, RecoveryEvents);
        var replay = await store.RecoverAsync(stream, RecoveryEvents);
        trace.Print($"{backEnd} {profile}, replay {RecoveryEvents:N0} events: {replay.TotalMilliseconds:F0} ms", replay, RecoveryEvents);
    }

    private static async Task ReplayOnlyAsync(string backend, int runs)
    {
        async Task Replay(AkkaJournalCase store)
        {
            var stream = $"recovery-{Guid.NewGuid():N}";
            await store.FillAsync(stream, RecoveryEvents);
            Console.WriteLine($"# filled; pid {Environment.ProcessId}; replaying {runs} time(s)");
            for (var run = 0; run < runs; run++)
                Console.WriteLine($"{store.BackEnd} {store.Name}: replay {RecoveryEvents:N0} events in {(await store.RecoverAsync(stream, RecoveryEvents)).TotalMilliseconds:F0} ms");
        }

        if (backend == "postgresql")
        {
            using var server = await ThrowawayPostgres.StartNewAsync();
            await Replay(new AkkaJournalCase("PostgreSQL", "shipped (daemon)", AkkaStack.Daemon(JournalSelection.PostgreSql, await server.CreateDatabaseAsync("replay"))));
            return;
        }

        var directory = Path.Combine(Path.GetTempPath(), $"autopilot-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            await Replay(new AkkaJournalCase("SQLite", "shipped (daemon)", AkkaStack.Daemon(JournalSelection.Sqlite,
                new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "replay.db") }.ToString())));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<List<string[]>> MeasureAsync(IPersistenceCase store, int runs, TimeSpan duration)
    {
        var rows = new List<string[]>();
        await store.WriteAsync(4, 1, TimeSpan.FromSeconds(1)); // warm-up: JIT, connections, tables
        if (store is AkkaJournalCase akka)
            Console.WriteLine($"# {store.BackEnd} / {store.Name}: {await akka.DescribeAsync()}");
        foreach (var (label, writers, batch) in new[] { ("1 writer, Persist", 1, 1), ("16 writers, Persist", 16, 1), ("1 writer, PersistAll x100", 1, 100) })
        {
            var results = new List<ThroughputResult>();
            for (var run = 0; run < runs; run++)
                results.Add(await store.WriteAsync(writers, batch, duration));
            var rates = results.Select(r => r.EventsPerSecond).Order().ToArray();
            var range = rates.Length == 1 ? "" : $" [{rates[0]:N0}–{rates[^1]:N0}]";
            rows.Add([store.BackEnd, store.Name, label, $"{BenchmarkConsole.Median(rates):N0}{range}",
                $"{BenchmarkConsole.Median(results.Select(r => r.P50)):F2}", $"{BenchmarkConsole.Median(results.Select(r => r.P99)):F2}", ""]);
            Console.Error.WriteLine($"{store.BackEnd} / {store.Name}: {label} done");
        }

        var stream = $"recovery-{Guid.NewGuid():N}";
        await store.FillAsync(stream, RecoveryEvents);
        var times = new List<double>();
        for (var run = 0; run < runs; run++)
            times.Add((await store.RecoverAsync(stream, RecoveryEvents)).TotalMilliseconds);
        rows.Add([store.BackEnd, store.Name, $"recover {RecoveryEvents:N0} events", "", "", "", $"{BenchmarkConsole.Median(times):F0} ms [{times.Min():F0}–{times.Max():F0}]"]);
        return rows;
    }
}
