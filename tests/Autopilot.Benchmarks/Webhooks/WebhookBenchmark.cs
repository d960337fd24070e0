using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Autopilot.Benchmarks.Reporting;
using Autopilot.Daemon.Configuration;
using Autopilot.Testing.PostgreSql;

namespace Autopilot.Benchmarks.Webhooks;

/// <summary>
/// Signed GitHub webhooks fired at a real <c>autopilotd</c> on loopback: each accepted delivery is verified and stored
/// with its payload in the intake's stream (SQLite or PostgreSQL, Akka.Persistence.Sql) before the 202; the hand-over
/// then brings it to the orchestrator, which records it. Reports accepted requests per second, latency percentiles,
/// time from process start to /ready, idle RSS, how long the orchestrator took to catch up after the last 202, and
/// graceful stop time; then redelivers a sample and, once the daemon has stopped, reads both streams back to check that
/// every accepted delivery was stored and recorded exactly once. Bounded in both count and time.
/// </summary>
public static class WebhookBenchmark
{
    private const string Secret = "benchmark-webhook-secret";

    /// <summary>
    /// Options: <c>--requests N</c> (default 5000), <c>--concurrency N</c> (16), <c>--seconds N</c> cap of the load per
    /// run (60), <c>--runs N</c> per back end (3), <c>--warmup N</c> deliveries before the measured ones (200; the JIT
    /// is still tiering the Akka stack up for several seconds after start, see docs/performance.md), <c>--backend sqlite|postgresql|all</c>, <c>--daemon path/to/autopilotd.dll</c>,
    /// <c>--hocon "key = value"</c> added to the daemon's configuration (to compare a setting, e.g. the journal's
    /// <c>tag-write-mode</c>, on the same build), <c>--daemon-env "NAME=value NAME=value"</c> set for the daemon's
    /// process only (a runtime knob, without touching the senders' runtime).
    /// </summary>
    public static async Task RunAsync(string[] args)
    {
        var requests = int.Parse(BenchmarkConsole.Option(args, "--requests") ?? "5000", CultureInfo.InvariantCulture);
        var concurrency = int.Parse(BenchmarkConsole.Option(args, "--concurrency") ?? "16", CultureInfo.InvariantCulture);
        var limit = TimeSpan.FromSeconds(double.Parse(BenchmarkConsole.Option(args, "--seconds") ?? "60", CultureInfo.InvariantCulture));
        var runs = int.Parse(BenchmarkConsole.Option(args, "--runs") ?? "3", CultureInfo.InvariantCulture);
        var warmupRequests = int.Parse(BenchmarkConsole.Option(args, "--warmup") ?? "200", CultureInfo.InvariantCulture);
        var backend = BenchmarkConsole.Option(args, "--backend") ?? "all";
        var daemon = DaemonProcess.Locate(BenchmarkConsole.Option(args, "--daemon"));
        var extraHocon = BenchmarkConsole.Option(args, "--hocon") ?? "";
        var daemonEnvironment = (BenchmarkConsole.Option(args, "--daemon-env") ?? "")
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair.Length == 2 ? pair[1] : throw new ArgumentException($"--daemon-env: '{pair[0]}' has no '=value'."));
        Console.WriteLine($"# daemon: {daemon}{(extraHocon.Length > 0 ? $" with: {extraHocon}" : "")}{string.Concat(daemonEnvironment.Select(variable => $" {variable.Key}={variable.Value}"))}");
        Console.WriteLine($"# {requests:N0} signed GitHub push webhooks per run (after {warmupRequests:N0} warm-up), {concurrency} concurrent senders, {runs} run(s) per journal");
        var rows = new List<string[]>();
        var checks = new List<(string Journal, ExactlyOnceReport Report)>();

        if (backend is "all" or "sqlite")
        {
            for (var run = 0; run < runs; run++)
            {
                var (row, check) = await MeasureAsync("SQLite", daemon, extraHocon, daemonEnvironment, JournalSelection.Sqlite, null, requests, warmupRequests, concurrency, limit);
                rows.Add(row);
                checks.Add(("SQLite", check));
            }
        }

        if (backend is "all" or "postgresql")
        {
            using var server = await ThrowawayPostgres.StartNewAsync();
            for (var run = 0; run < runs; run++)
            {
                var connection = await server.CreateDatabaseAsync("webhooks");
                var (row, check) = await MeasureAsync("PostgreSQL", daemon, extraHocon, daemonEnvironment, JournalSelection.PostgreSql, connection, requests, warmupRequests, concurrency, limit);
                rows.Add(row);
                checks.Add(("PostgreSQL", check));
            }
        }

        BenchmarkConsole.PrintTable(["journal", "accepted", "req/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "ready ms", "idle RSS MiB", "RSS after MiB", "orchestrator caught up ms", "stop ms"], rows, textColumns: 1);
        foreach (var (journal, report) in checks)
        {
            Console.WriteLine($"{journal}: {report}");
        }
    }

    /// <param name="connectionString">The PostgreSQL database; null for SQLite, whose file is the daemon's default under its data directory.</param>
    private static async Task<(string[] Row, ExactlyOnceReport Check)> MeasureAsync(
        string name, string daemonDll, string extraHocon, IReadOnlyDictionary<string, string> daemonEnvironment, string plugin, string? connectionString, int requests, int warmupRequests, int concurrency, TimeSpan limit)
    {
        var journalHocon = connectionString is null
            ? $"autopilot.persistence.journal.plugin = {plugin}"
            : $"autopilot.persistence.journal {{ plugin = {plugin}, {plugin}.connection-string = \"{connectionString}\" }}";
        await using var daemon = DaemonProcess.Start(daemonDll, $"""
            {journalHocon}
            autopilot.platforms.github.webhook-secret = "{Secret}"
            autopilot.http.max-webhook-body = 1 MiB
            {extraHocon}
            """, environment: daemonEnvironment);
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = daemon.Address };
        var ready = await daemon.WaitReadyAsync(client, TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var idle = daemon.ResidentMiB();

        var accepted = new ConcurrentQueue<Delivery>();
        var warmup = await FireAsync(client, warmupRequests, concurrency, limit, i => Delivery.New("warmup", i), accepted);
        var result = await FireAsync(client, requests, concurrency, limit, i => Delivery.New("run", i), accepted);
        var loadEnded = Stopwatch.GetTimestamp();
        var after = daemon.ResidentMiB();

        // Redeliver every 20th accepted delivery (same id, same body): each must be answered "duplicate" and not stored
        // or recorded again (the intake remembers deliveries for 7 days). Measured apart so the figures above are first
        // deliveries only.
        var all = accepted.ToArray();
        var again = all.Where((_, i) => i % 20 == 0).ToArray();
        var redelivery = await FireAsync(client, again.Length, concurrency, limit, i => again[i], new ConcurrentQueue<Delivery>());

        // The orchestrator records each delivery after the hand-over brought it from the intake's stream (in batches):
        // wait (bounded) until it confirmed them all, so the check below sees a finished hand-over.
        var caughtUp = await WaitForHandoverAsync(client, all.Length, TimeSpan.FromMinutes(3));
        var caughtUpMs = caughtUp ? Stopwatch.GetElapsedTime(loadEnded).TotalMilliseconds : double.NaN;

        var stop = await daemon.StopAsync(TimeSpan.FromSeconds(40));
        Console.Error.WriteLine($"{name}: {result.Accepted} accepted, {result.Failed} failed in {result.Elapsed.TotalSeconds:F1} s (warm-up {warmup.Accepted}/{warmup.Sent}); "
            + (caughtUp ? $"orchestrator caught up {caughtUpMs:F0} ms after the last answer" : "orchestrator had NOT caught up within 3 min"));
        var check = await ExactlyOnceCheck.RunAsync(
            plugin, connectionString ?? $"Data Source={Path.Combine(daemon.DataDirectory, "autopilot.db")}", Delivery.Prefix,
            all.ToDictionary(d => d.Id, d => Encoding.UTF8.GetString(d.Body), StringComparer.Ordinal), again.Length, redelivery.Duplicates);
        Console.Error.WriteLine($"{name}: {check}");
        return (
        [
            name, $"{result.Accepted:N0}/{result.Sent:N0}", $"{result.Accepted / result.Elapsed.TotalSeconds:N0}",
            $"{result.P50:F2}", $"{result.P90:F2}", $"{result.P99:F2}", $"{result.P999:F2}", $"{result.Max:F2}",
            $"{ready.TotalMilliseconds:F0}", $"{idle:F0}", $"{after:F0}", caughtUp ? $"{caughtUpMs:F0}" : "> 180000", $"{stop.TotalMilliseconds:F0}",
        ], check);
    }

    /// <summary>
    /// Polls <c>/metrics</c> until the hand-over confirmed <paramref name="expected"/> deliveries
    /// (<c>autopilot_messages_processed_total{actor="webhook-handover"}</c>); false when it did not within <paramref name="limit"/>.
    /// </summary>
    private static async Task<bool> WaitForHandoverAsync(HttpClient client, int expected, TimeSpan limit)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var text = await client.GetStringAsync("/metrics");
            var match = Regex.Match(text, @"^autopilot_messages_processed_total\{[^}]*actor=""webhook-handover""[^}]*\} (\S+)", RegexOptions.Multiline);
            if (match.Success && double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) >= expected)
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
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
