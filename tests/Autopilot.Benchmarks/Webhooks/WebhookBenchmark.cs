using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Actors.Sql;
using Autopilot.Benchmarks.Reporting;

namespace Autopilot.Benchmarks.Webhooks;

/// <summary>
/// Signed GitHub webhooks fired at a real <c>autopilotd</c> on loopback: each accepted delivery is verified, journaled
/// (SQLite or PostgreSQL) and handed to the orchestrator before the answer. Reports accepted requests per second,
/// latency percentiles, time from process start to /ready, idle RSS and graceful stop time; then redelivers a sample
/// and reads the intake stream back to check that every accepted delivery was journaled exactly once. Bounded in both
/// count and time.
/// </summary>
public static class WebhookBenchmark
{
    private const string Secret = "benchmark-webhook-secret";

    /// <summary>How many recent delivery ids the daemon's intake remembers for de-duplication (<c>WebhookIntake.RememberedDeliveries</c>).</summary>
    private const int IntakeRemembers = 10_000;

    /// <summary>
    /// Options: <c>--requests N</c> (default 5000), <c>--concurrency N</c> (16), <c>--seconds N</c> cap per back end (60),
    /// <c>--backend sqlite|postgresql|all</c>, <c>--daemon path/to/autopilotd.dll</c>.
    /// </summary>
    public static async Task RunAsync(string[] args)
    {
        var requests = int.Parse(BenchmarkConsole.Option(args, "--requests") ?? "5000", CultureInfo.InvariantCulture);
        var concurrency = int.Parse(BenchmarkConsole.Option(args, "--concurrency") ?? "16", CultureInfo.InvariantCulture);
        var limit = TimeSpan.FromSeconds(double.Parse(BenchmarkConsole.Option(args, "--seconds") ?? "60", CultureInfo.InvariantCulture));
        var backend = BenchmarkConsole.Option(args, "--backend") ?? "all";
        var daemon = DaemonProcess.Locate(BenchmarkConsole.Option(args, "--daemon"));
        var rows = new List<string[]>();
        var checks = new List<(string Journal, ExactlyOnceReport Report)>();

        if (backend is "all" or "sqlite")
        {
            var (row, check) = await MeasureAsync("SQLite", daemon, PersistencePlugins.Sqlite, null, requests, concurrency, limit);
            rows.Add(row);
            checks.Add(("SQLite", check));
        }

        if (backend is "all" or "postgresql")
        {
            using var server = await ThrowawayPostgres.StartNewAsync();
            var connection = await server.CreateDatabaseAsync("webhooks");
            var (row, check) = await MeasureAsync("PostgreSQL", daemon, PersistencePlugins.PostgreSql, connection, requests, concurrency, limit);
            rows.Add(row);
            checks.Add(("PostgreSQL", check));
        }

        BenchmarkConsole.PrintTable(["journal", "accepted", "req/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "ready ms", "idle RSS MiB", "RSS after MiB", "stop ms"], rows);
        foreach (var (journal, report) in checks)
        {
            Console.WriteLine($"{journal}: {report}");
        }
    }

    /// <param name="connectionString">The PostgreSQL database; null for SQLite, whose file is the daemon's default under its data directory.</param>
    private static async Task<(string[] Row, ExactlyOnceReport Check)> MeasureAsync(
        string name, string daemonDll, string plugin, string? connectionString, int requests, int concurrency, TimeSpan limit)
    {
        var journalHocon = connectionString is null
            ? $"autopilot.persistence.journal.plugin = {plugin}"
            : $"autopilot.persistence.journal {{ plugin = {plugin}, {plugin}.connection-string = \"{connectionString}\" }}";
        await using var daemon = DaemonProcess.Start(daemonDll, $"""
            {journalHocon}
            autopilot.platforms.github.webhook-secret = "{Secret}"
            autopilot.http.max-webhook-body = 1 MiB
            """);
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = daemon.Address };
        var ready = await daemon.WaitReadyAsync(client, TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var idle = daemon.ResidentMiB();

        var accepted = new ConcurrentQueue<Delivery>();
        var warmup = await FireAsync(client, Math.Min(200, requests), concurrency, limit, i => Delivery.New("warmup", i), accepted);
        var result = await FireAsync(client, requests, concurrency, limit, i => Delivery.New("run", i), accepted);
        var after = daemon.ResidentMiB();

        // Redeliver a spread of accepted deliveries (same id, same body): each must be answered "duplicate" and not
        // journaled again. Only deliveries the intake still remembers qualify: it recognises the most recent
        // IntakeRemembers ones (the order it saw them in differs from ours by at most the concurrency). Measured apart
        // so the figures above are first deliveries only.
        var all = accepted.ToArray();
        var again = all.Skip(Math.Max(0, all.Length - (IntakeRemembers - concurrency))).Where((_, i) => i % 20 == 0).ToArray();
        var redelivery = await FireAsync(client, again.Length, concurrency, limit, i => again[i], new ConcurrentQueue<Delivery>());

        var stop = await daemon.StopAsync(TimeSpan.FromSeconds(40));
        Console.Error.WriteLine($"{name}: {result.Accepted} accepted, {result.Failed} failed in {result.Elapsed.TotalSeconds:F1} s (warm-up {warmup.Accepted}/{warmup.Sent})");
        var check = await ExactlyOnceCheck.RunAsync(
            plugin, connectionString ?? $"Data Source={Path.Combine(daemon.DataDirectory, "autopilot.db")}", [Delivery.Prefix],
            all.Select(d => d.Id).ToArray(), again.Length, redelivery.Duplicates);
        return (
        [
            name, $"{result.Accepted:N0}/{result.Sent:N0}", $"{result.Accepted / result.Elapsed.TotalSeconds:N0}",
            $"{result.P50:F2}", $"{result.P90:F2}", $"{result.P99:F2}", $"{result.P999:F2}", $"{result.Max:F2}",
            $"{ready.TotalMilliseconds:F0}", $"{idle:F0}", $"{after:F0}", $"{stop.TotalMilliseconds:F0}",
        ], check);
    }

    /// <summary>One signed GitHub push delivery: its id (X-GitHub-Delivery) and body.</summary>
    private sealed record Delivery(string Id, byte[] Body)
    {
        /// <summary>Every delivery id of this benchmark starts with this, so the read-back counts only its own.</summary>
        public const string Prefix = "bench-";

        public static Delivery New(string run, int i) => new(
            $"{Prefix}{run}-{i}-{Guid.NewGuid():N}",
            Encoding.UTF8.GetBytes("{\"ref\":\"refs/heads/main\",\"after\":\"" + i.ToString("x40", CultureInfo.InvariantCulture)
                + "\",\"repository\":{\"full_name\":\"bench/app\"}}"));
    }

    private sealed record Result(int Sent, int Accepted, int Duplicates, int Failed, TimeSpan Elapsed, double P50, double P90, double P99, double P999, double Max);

    /// <summary>Sends <paramref name="requests"/> deliveries from <paramref name="concurrency"/> workers; collects the ones answered 202.</summary>
    private static async Task<Result> FireAsync(
        HttpClient client, int requests, int concurrency, TimeSpan limit, Func<int, Delivery> delivery, ConcurrentQueue<Delivery> accepted)
    {
        var latencies = new double[requests];
        var next = -1;
        var acceptedCount = 0;
        var duplicates = 0;
        var failed = 0;
        using var deadline = new CancellationTokenSource(limit);
        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests && !deadline.IsCancellationRequested)
            {
                var sending = delivery(i);
                using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github") { Content = new ByteArrayContent(sending.Body) };
                request.Headers.Add("X-GitHub-Event", "push");
                request.Headers.Add("X-GitHub-Delivery", sending.Id);
                request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), sending.Body)));
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.SendAsync(request, deadline.Token);
                    latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        accepted.Enqueue(sending);
                        Interlocked.Increment(ref acceptedCount);
                    }
                    else if (response.StatusCode == HttpStatusCode.OK && (await response.Content.ReadAsStringAsync(deadline.Token)).Contains("\"duplicate\"", StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref duplicates);
                    }
                    else
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested)
                {
                    return;
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }).ToArray();
        await Task.WhenAll(workers);
        watch.Stop();
        var sent = Math.Min(requests, next);
        var measured = latencies.Take(sent).Where(l => l > 0).OrderBy(l => l).ToArray();
        return new Result(sent, acceptedCount, duplicates, failed, watch.Elapsed,
            BenchmarkConsole.Percentile(measured, 0.50), BenchmarkConsole.Percentile(measured, 0.90), BenchmarkConsole.Percentile(measured, 0.99), BenchmarkConsole.Percentile(measured, 0.999),
            measured.Length == 0 ? double.NaN : measured[^1]);
    }

}
