using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Autopilot.Benchmarks.Reporting;
using Autopilot.Benchmarks.Webhooks;

namespace Autopilot.Benchmarks.Sse;

/// <summary>
/// Many live viewers of the audit trail under webhook load (issue 17): <c>--viewers</c> concurrent
/// <c>GET /api/audit/stream</c> connections to a real <c>autopilotd</c> on loopback while signed GitHub webhooks arrive at
/// <c>--rate</c> per second for <c>--seconds</c>. Reports the delivery lag of every event to every viewer (journal
/// write time to receipt), whether every viewer got every event, the daemon's resident memory, and the duration of
/// <c>/metrics</c> scrapes taken during the load.
/// </summary>
public static class SseBenchmark
{
    private const string Token = "sse-benchmark-viewer-token-0123456789";
    private const string Secret = "sse-benchmark-webhook-secret";
    private const string DeliveryPrefix = "sse-bench-";

    /// <summary>Options: <c>--viewers N</c> (500), <c>--rate N</c> webhooks/s (200), <c>--seconds N</c> (30), <c>--hocon "..."</c>, <c>--daemon path</c>.</summary>
    public static async Task RunAsync(string[] args)
    {
        var viewers = int.Parse(BenchmarkConsole.Option(args, "--viewers") ?? "500", CultureInfo.InvariantCulture);
        var rate = int.Parse(BenchmarkConsole.Option(args, "--rate") ?? "200", CultureInfo.InvariantCulture);
        var seconds = int.Parse(BenchmarkConsole.Option(args, "--seconds") ?? "30", CultureInfo.InvariantCulture);
        var extra = BenchmarkConsole.Option(args, "--hocon") ?? "";
        var daemonDll = DaemonProcess.Locate(BenchmarkConsole.Option(args, "--daemon"));
        Console.WriteLine($"# daemon: {daemonDll}; {viewers} viewers, {rate} webhooks/s for {seconds} s; load average {LoadAverage()}");

        await using var daemon = DaemonProcess.Start(daemonDll, $$"""
            autopilot.persistence.journal.plugin = sqlite
            autopilot.platforms.github.webhook-secret = "{{Secret}}"
            autopilot.api.tokens.bench { role = viewer, token = "{{Token}}" }
            autopilot.http.rate-limit { permits = 1000000, webhook-permits = 1000000 }
            {{extra}}
            """);
        using var control = new HttpClient { BaseAddress = daemon.Address, Timeout = TimeSpan.FromMinutes(1) };
        await daemon.WaitReadyAsync(control, TimeSpan.FromMinutes(2));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var idleRss = daemon.ResidentMiB();

        using var streams = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = viewers + 8 })
        {
            BaseAddress = daemon.Address,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        streams.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var stop = new CancellationTokenSource();
        var watchers = Enumerable.Range(0, viewers).Select(_ => new Viewer()).ToArray();
        var reading = watchers.Select(v => v.WatchAsync(streams, stop.Token)).ToArray();
        var connecting = Stopwatch.StartNew();
        await Task.WhenAll(watchers.Select(v => v.Connected)).WaitAsync(TimeSpan.FromMinutes(2));
        Console.WriteLine($"# {viewers} viewers connected in {connecting.Elapsed.TotalSeconds:F1} s; daemon RSS {daemon.ResidentMiB():F0} MiB (idle before: {idleRss:F0} MiB)");

        // During the load: /metrics scraped every 250 ms by a process of its own (as Prometheus would), and the daemon's
        // RSS sampled every 250 ms.
        using var loadOver = new CancellationTokenSource();
        var rss = new ConcurrentBag<double>();
        var scraper = MetricsScraper.Start(new Uri(daemon.Address, "/metrics"));
        var scraping = Task.Run(async () =>
        {
            while (!loadOver.IsCancellationRequested)
            {
                rss.Add(daemon.ResidentMiB());
                await Task.Delay(250);
            }
        });

        var daemonCpuBefore = DaemonCpu(daemon);
        var ownCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var sent = await FireAsync(daemon.Address, rate, seconds);
        var daemonCpu = DaemonCpu(daemon) - daemonCpuBefore;
        var ownCpu = Process.GetCurrentProcess().TotalProcessorTime - ownCpuBefore;
        var loadEnded = Stopwatch.GetTimestamp();
        await loadOver.CancelAsync();
        await scraping;
        var scrapes = await scraper.StopAsync();
        Console.WriteLine($"# {sent.Accepted:N0} of {sent.Sent:N0} webhooks accepted (202) in {sent.Elapsed.TotalSeconds:F1} s ({sent.Accepted / sent.Elapsed.TotalSeconds:F0}/s); webhook p95 {sent.P95:F1} ms; " +
            $"CPU during the load: daemon {daemonCpu.TotalSeconds:F1} s, this benchmark (senders and {viewers} viewers) {ownCpu.TotalSeconds:F1} s, of {sent.Elapsed.TotalSeconds * Environment.ProcessorCount:F0} core-seconds; load average {LoadAverage()}");

        // Drain: until every viewer saw an ExternalEventReceived for every accepted delivery and all viewers hold the
        // same events, or 2 minutes.
        var drainDeadline = Stopwatch.GetTimestamp() + 120 * Stopwatch.Frequency;
        bool complete;
        while (!(complete = Complete(watchers, sent.AcceptedIds)) && Stopwatch.GetTimestamp() < drainDeadline)
        {
            await Task.Delay(200);
        }

        var drained = Stopwatch.GetElapsedTime(loadEnded).TotalSeconds;
        var afterRss = daemon.ResidentMiB();
        await stop.CancelAsync();
        await Task.WhenAll(reading);
        await daemon.StopAsync(TimeSpan.FromSeconds(40));

        var union = watchers.SelectMany(v => v.Offsets).ToHashSet();
        var completeViewers = watchers.Count(v => v.Offsets.Count == union.Count && v.Deliveries.IsSupersetOf(sent.AcceptedIds));
        var lags = watchers.SelectMany(v => v.Lags).Select(l => (double)l).Order().ToArray();
        var scrapeTimes = scrapes.Order().ToArray();
        Console.WriteLine($"# drained {drained:F1} s after the load: {(complete ? "every viewer has every event" : "NOT complete within 2 min")}; " +
            $"{union.Count:N0} audit events, {completeViewers}/{viewers} viewers got all of them; {watchers.Sum(v => v.Errors)} stream errors");
        BenchmarkConsole.PrintTable(
            ["viewers", "webhooks/s", "events", "deliveries to viewers", "lag p50 ms", "p95 ms", "p99 ms", "max ms", "complete", "RSS max MiB", "/metrics p50 ms", "p95 ms", "scrapes"],
            [[
                $"{viewers}", $"{sent.Accepted / sent.Elapsed.TotalSeconds:F0}", $"{union.Count:N0}", $"{lags.Length:N0}",
                F(Percentile(lags, 0.5)), F(Percentile(lags, 0.95)), F(Percentile(lags, 0.99)), F(lags.Length == 0 ? double.NaN : lags[^1]),
                $"{completeViewers}/{viewers}", $"{Math.Max(rss.DefaultIfEmpty(0).Max(), afterRss):F0}",
                F(Percentile(scrapeTimes, 0.5)), F(Percentile(scrapeTimes, 0.95)), $"{scrapeTimes.Length}",
            ]]);
    }

    private static TimeSpan DaemonCpu(DaemonProcess daemon)
    {
        using var process = Process.GetProcessById(daemon.ProcessId);
        return process.TotalProcessorTime;
    }

    private static bool Complete(Viewer[] viewers, IReadOnlySet<string> accepted)
    {
        var count = viewers[0].Count;
        return viewers.All(v => v.Has(accepted, count));
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : BenchmarkConsole.Percentile(sorted, p);

    private static string F(double ms) => ms.ToString("F0", CultureInfo.InvariantCulture);

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";

    private sealed record Load(int Sent, int Accepted, TimeSpan Elapsed, double P95, IReadOnlySet<string> AcceptedIds);

    /// <summary>Signed GitHub push deliveries at <paramref name="rate"/> per second, each sent at its due time (not back to back).</summary>
    private static async Task<Load> FireAsync(Uri address, int rate, int seconds)
    {
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        var total = rate * seconds;
        var accepted = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var latencies = new ConcurrentBag<double>();
        var inFlight = new List<Task>(total);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            if (due > watch.Elapsed)
            {
                await Task.Delay(due - watch.Elapsed);
            }

            var id = $"{DeliveryPrefix}{i}-{Guid.NewGuid():N}";
            inFlight.Add(SendAsync(client, id, i, accepted, latencies));
        }

        await Task.WhenAll(inFlight);
        var elapsed = watch.Elapsed;
        var sorted = latencies.Order().ToArray();
        return new Load(total, accepted.Count, elapsed, Percentile(sorted, 0.95), accepted.Keys.ToHashSet(StringComparer.Ordinal));
    }

    private static async Task SendAsync(HttpClient client, string id, int i, ConcurrentDictionary<string, bool> accepted, ConcurrentBag<double> latencies)
    {
        var body = Encoding.UTF8.GetBytes("{\"ref\":\"refs/heads/main\",\"after\":\"" + i.ToString("x40", CultureInfo.InvariantCulture)
            + "\",\"repository\":{\"full_name\":\"bench/app\"}}");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github") { Content = new ByteArrayContent(body) };
        request.Headers.Add("X-GitHub-Event", "push");
        request.Headers.Add("X-GitHub-Delivery", id);
        request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), body)));
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.SendAsync(request);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                accepted[id] = true;
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // Counted as not accepted.
        }
    }

    /// <summary>
    /// One live viewer: reads its stream line by line, keeping each event's offset, the delivery id of each
    /// <c>ExternalEventReceived</c>, and the lag from the event's journal timestamp to its receipt here.
    /// </summary>
    private sealed class Viewer
    {
        private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Connected => _connected.Task;

        public List<long> Offsets { get; } = [];

        public List<float> Lags { get; } = [];

        public HashSet<string> Deliveries { get; } = new(StringComparer.Ordinal);

        public int Errors { get; private set; }

        public int Count
        {
            get
            {
                lock (this)
                {
                    return Offsets.Count;
                }
            }
        }

        /// <summary>True when it saw every delivery of <paramref name="accepted"/> and exactly <paramref name="count"/> events.</summary>
        public bool Has(IReadOnlySet<string> accepted, int count)
        {
            lock (this)
            {
                return Offsets.Count == count && Deliveries.IsSupersetOf(accepted);
            }
        }

        public async Task WatchAsync(HttpClient client, CancellationToken stop)
        {
            try
            {
                using var response = await client.GetAsync("/api/audit/stream", HttpCompletionOption.ResponseHeadersRead, stop);
                response.EnsureSuccessStatusCode();
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop));
                _connected.TrySetResult();
                long offset = -1;
                while (await reader.ReadLineAsync(stop) is { } line)
                {
                    if (line.StartsWith("id: ", StringComparison.Ordinal))
                    {
                        offset = long.Parse(line.AsSpan(4), CultureInfo.InvariantCulture);
                    }
                    else if (line.StartsWith("data: ", StringComparison.Ordinal))
                    {
                        var received = DateTimeOffset.UtcNow;
                        var timestamp = Field(line, "\"timestamp\":\"");
                        var delivery = Field(line, "\"deliveryId\":\"");
                        lock (this)
                        {
                            Offsets.Add(offset);
                            if (timestamp is not null)
                            {
                                Lags.Add((float)(received - DateTimeOffset.Parse(timestamp, CultureInfo.InvariantCulture)).TotalMilliseconds);
                            }

                            if (delivery is not null)
                            {
                                Deliveries.Add(delivery);
                            }
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Done watching.
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                Errors++;
                _connected.TrySetException(e);
            }
        }

        private static string? Field(string line, string prefix)
        {
            var start = line.IndexOf(prefix, StringComparison.Ordinal);
            if (start < 0)
            {
                return null;
            }

            start += prefix.Length;
            var end = line.IndexOf('"', start);
            return end < 0 ? null : line[start..end];
        }
    }
}
