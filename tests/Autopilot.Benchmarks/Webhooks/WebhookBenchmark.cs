using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Autopilot.Actors.Persistence.TCK.Postgres;

namespace Autopilot.Benchmarks.Webhooks;

/// <summary>
/// Signed GitHub webhooks fired at a real <c>autopilotd</c> on loopback: each accepted delivery is verified, journaled
/// (SQLite or PostgreSQL, full durability) and handed to the orchestrator before the answer. Reports accepted
/// requests per second, p50/p99 latency, time from process start to /ready, idle RSS and graceful stop time.
/// Bounded in both count and time.
/// </summary>
public static class WebhookBenchmark
{
    private const string Secret = "benchmark-webhook-secret";

    /// <summary>
    /// Options: <c>--requests N</c> (default 5000), <c>--concurrency N</c> (16), <c>--seconds N</c> cap per back end (60),
    /// <c>--backend sqlite|postgresql|all</c>, <c>--daemon path/to/autopilotd.dll</c>.
    /// </summary>
    public static async Task RunAsync(string[] args)
    {
        var requests = int.Parse(OptionValue(args, "--requests") ?? "5000", CultureInfo.InvariantCulture);
        var concurrency = int.Parse(OptionValue(args, "--concurrency") ?? "16", CultureInfo.InvariantCulture);
        var limit = TimeSpan.FromSeconds(double.Parse(OptionValue(args, "--seconds") ?? "60", CultureInfo.InvariantCulture));
        var backend = OptionValue(args, "--backend") ?? "all";
        var daemon = DaemonProcess.Locate(OptionValue(args, "--daemon"));
        var rows = new List<string[]>();

        if (backend is "all" or "sqlite")
        {
            rows.Add(await MeasureAsync("SQLite", daemon, "autopilot.persistence.journal.plugin = sqlite", requests, concurrency, limit));
        }

        if (backend is "all" or "postgresql")
        {
            using var server = await ThrowawayPostgres.StartNewAsync();
            var connection = await server.CreateDatabaseAsync("webhooks");
            rows.Add(await MeasureAsync("PostgreSQL", daemon,
                $"autopilot.persistence.journal {{ plugin = postgresql, postgresql.connection-string = \"{connection}\" }}", requests, concurrency, limit));
        }

        Print(["journal", "accepted", "req/s", "p50 ms", "p99 ms", "ready ms", "idle RSS MiB", "RSS after MiB", "stop ms"], rows);
    }

    private static async Task<string[]> MeasureAsync(string name, string daemonDll, string journalHocon, int requests, int concurrency, TimeSpan limit)
    {
        await using var daemon = DaemonProcess.Start(daemonDll, $"""
            {journalHocon}
            autopilot.platforms.github.webhook-secret = "{Secret}"
            autopilot.http.max-webhook-body = 1 MiB
            """);
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = daemon.Address };
        var ready = await daemon.WaitReadyAsync(client, TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var idle = daemon.ResidentMiB();

        await FireAsync(client, "warmup", Math.Min(200, requests), concurrency, limit);
        var result = await FireAsync(client, "run", requests, concurrency, limit);
        var after = daemon.ResidentMiB();
        var stop = await daemon.StopAsync(TimeSpan.FromSeconds(40));
        Console.Error.WriteLine($"{name}: {result.Accepted} accepted, {result.Failed} failed in {result.Elapsed.TotalSeconds:F1} s");
        return
        [
            name, $"{result.Accepted:N0}/{result.Sent:N0}", $"{result.Accepted / result.Elapsed.TotalSeconds:N0}",
            $"{result.P50:F2}", $"{result.P99:F2}", $"{ready.TotalMilliseconds:F0}", $"{idle:F0}", $"{after:F0}", $"{stop.TotalMilliseconds:F0}",
        ];
    }

    private sealed record Result(int Sent, int Accepted, int Failed, TimeSpan Elapsed, double P50, double P99);

    private static async Task<Result> FireAsync(HttpClient client, string run, int requests, int concurrency, TimeSpan limit)
    {
        var latencies = new double[requests];
        var next = -1;
        var accepted = 0;
        var failed = 0;
        using var deadline = new CancellationTokenSource(limit);
        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests && !deadline.IsCancellationRequested)
            {
                var body = Encoding.UTF8.GetBytes("{\"ref\":\"refs/heads/main\",\"after\":\"" + i.ToString("x40", CultureInfo.InvariantCulture)
                    + "\",\"repository\":{\"full_name\":\"bench/app\"}}");
                using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github") { Content = new ByteArrayContent(body) };
                request.Headers.Add("X-GitHub-Event", "push");
                request.Headers.Add("X-GitHub-Delivery", $"{run}-{i}-{Guid.NewGuid():N}");
                request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), body)));
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.SendAsync(request, deadline.Token);
                    latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        Interlocked.Increment(ref accepted);
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
        return new Result(sent, accepted, failed, watch.Elapsed, Percentile(measured, 0.50), Percentile(measured, 0.99));
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static string? OptionValue(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static void Print(string[] header, List<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        Console.WriteLine(string.Join(" | ", header.Select((h, i) => h.PadRight(widths[i]))));
        Console.WriteLine(string.Join("-+-", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            Console.WriteLine(string.Join(" | ", row.Select((c, i) => c.PadLeft(widths[i]))));
        }
    }
}
