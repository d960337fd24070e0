using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Autopilot.Agents.Policy;
using Autopilot.Benchmarks.Reporting;
using Autopilot.Benchmarks.Webhooks;
using Autopilot.Daemon.Simulation;

namespace Autopilot.Benchmarks.Tasks;

/// <summary>
/// Task submit latency: a real <c>autopilotd</c> (SQLite journal, shipped settings) on the simulated platforms (the
/// fakes of <c>autopilotd --simulate</c> in this process, its demo loop running meanwhile). Times
/// <c>POST /api/tasks</c> → 202, i.e. until the task is journaled: one submitter, then eight at once. The tasks are
/// drills (the orchestrator records what the policy would do) on a handful of scenarios with mixed priorities, so the
/// queue is also starting and finishing tasks while submits arrive. Afterwards it waits until every task has ended.
/// </summary>
public static class TaskBenchmark
{
    private static readonly string[] Scenarios = [Situations.BuildFailed, Situations.CrashedTransient, Situations.CrashedOutOfMemory, Situations.DependencyDown];
    private static readonly string[] Priorities = ["high", "normal", "low"];

    /// <summary>Options: <c>--tasks N</c> submits per pass (300), <c>--warmup N</c> (20), <c>--daemon path/to/autopilotd.dll</c>.</summary>
    public static async Task RunAsync(string[] args)
    {
        var count = int.Parse(BenchmarkConsole.Option(args, "--tasks") ?? "300", CultureInfo.InvariantCulture);
        var warmup = int.Parse(BenchmarkConsole.Option(args, "--warmup") ?? "20", CultureInfo.InvariantCulture);
        var daemonDll = DaemonProcess.Locate(BenchmarkConsole.Option(args, "--daemon"));
        Console.WriteLine($"# daemon: {daemonDll}; {count} submits per pass after {warmup} warm-up submits; SQLite journal; simulated platforms");
        await using var platforms = await SimulatedPlatforms.StartAsync(TimeProvider.System);
        await using var daemon = DaemonProcess.Start(daemonDll, platforms.Overrides + """

            autopilot.persistence.journal.plugin = sqlite
            autopilot.http.rate-limit.permits = 1000000
            """);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
        await daemon.WaitReadyAsync(http, TimeSpan.FromSeconds(90));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", platforms.SessionToken);
        var submit = new Uri(daemon.Address, "/api/tasks");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var sequence = 0;

        async Task<double> SubmitAsync()
        {
            var n = Interlocked.Increment(ref sequence);
            var body = JsonSerializer.Serialize(new { kind = "drill", target = Scenarios[n % Scenarios.Length], priority = Priorities[n % Priorities.Length] });
            using var request = new HttpRequestMessage(HttpMethod.Post, submit) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("Idempotency-Key", $"bench-{n}");
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"submit {n} answered {(int)response.StatusCode}: {text}");
            }

            lock (ids)
            {
                ids.Add(JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!);
            }

            return elapsed;
        }

        for (var i = 0; i < warmup; i++)
        {
            await SubmitAsync();
        }

        var one = new List<double>();
        for (var i = 0; i < count; i++)
        {
            one.Add(await SubmitAsync());
        }

        var eight = new List<double>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            for (var i = 0; i < count / 8; i++)
            {
                var ms = await SubmitAsync();
                lock (eight)
                {
                    eight.Add(ms);
                }
            }
        }));

        var drained = Stopwatch.StartNew();
        while (drained.Elapsed < TimeSpan.FromMinutes(5))
        {
            using var open = JsonDocument.Parse(await http.GetStringAsync(new Uri(daemon.Address, "/api/tasks")));
            if (!open.RootElement.GetProperty("tasks").EnumerateArray().Any(t => t.GetProperty("status").GetString() is "queued" or "running"))
            {
                break;
            }

            await Task.Delay(100);
        }

        Console.WriteLine($"# {ids.Count} distinct task ids for {sequence} submits; every task ended {drained.Elapsed.TotalSeconds:F1} s after the last submit; " +
            $"daemon RSS {daemon.ResidentMiB():F0} MiB");
        BenchmarkConsole.PrintTable(["submitters", "submits", "p50 ms", "p95 ms", "p99 ms", "max ms"], [Row("1", one), Row("8 at once", eight)], textColumns: 1);
        await daemon.StopAsync(TimeSpan.FromSeconds(30));
    }

    private static string[] Row(string name, List<double> values)
    {
        var sorted = values.Order().ToArray();
        string F(double ms) => ms.ToString("F1", CultureInfo.InvariantCulture);
        return [name, $"{sorted.Length}", F(BenchmarkConsole.Percentile(sorted, 0.5)), F(BenchmarkConsole.Percentile(sorted, 0.95)),
            F(BenchmarkConsole.Percentile(sorted, 0.99)), F(sorted[^1])];
    }
}
