using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Autopilot.Agents.Health;
using Autopilot.Agents.Policy;
using Autopilot.Agents.Protocol;
using Autopilot.Benchmarks.Reporting;
using Autopilot.Benchmarks.Stacks;
using Autopilot.Benchmarks.Webhooks;
using Autopilot.Daemon.Dashboard;
using Microsoft.Playwright;

namespace Autopilot.Benchmarks.Dashboard;

/// <summary>
/// The dashboard on a month of history: fills a SQLite journal through the daemon's own persistence stack with 30 days
/// of probe records at one per 5 minutes for 10 services (86,400 records, as the daemon's probe recorder writes them)
/// plus 10,000 other audit events, starts a real <c>autopilotd</c> on it, then times every API call the page makes
/// (one at a time) and the page's time to interactive in Debian's Chromium (sign-in token already in session storage;
/// from navigation until every panel is drawn and the live stream is opening).
/// </summary>
public static class DashboardBenchmark
{
    private const string Token = "dashboard-benchmark-viewer-token-0123456789";

    private static readonly string[] Calls =
    [
        "/api/whoami", "/api/status", "/api/dashboard/services", "/api/uptime", "/api/dashboard/summary?days=7", "/api/dashboard/activity?hours=168",
        "/api/dashboard/incidents?days=7", "/api/cluster", "/api/approvals",
    ];

    /// <summary>
    /// Options: <c>--services N</c> (10), <c>--days N</c> (30), <c>--events N</c> other audit events (10,000),
    /// <c>--requests N</c> per call (50), <c>--page-runs N</c> (5), <c>--daemon path/to/autopilotd.dll</c>.
    /// </summary>
    public static async Task RunAsync(string[] args)
    {
        var services = Int(args, "--services", 10);
        var days = Int(args, "--days", 30);
        var events = Int(args, "--events", 10_000);
        var requests = Int(args, "--requests", 50);
        var pageRuns = Int(args, "--page-runs", 5);
        var daemon = DaemonProcess.Locate(BenchmarkConsole.Option(args, "--daemon"));
        var directory = Directory.CreateTempSubdirectory("autopilot-dashboard-bench").FullName;
        var connection = $"Data Source={Path.Combine(directory, "dashboard.db")}";
        using var target = HealthyTarget(out var targetUrl);
        try
        {
            Console.WriteLine($"# daemon: {daemon}");
            var filling = Stopwatch.StartNew();
            var probes = await FillAsync(connection, services, days, events);
            Console.WriteLine($"# {probes:N0} probe records ({services} services, {days} days, one per 5 min) and {events:N0} audit events written in " +
                $"{filling.Elapsed.TotalSeconds:F0} s, journal {new FileInfo(Path.Combine(directory, "dashboard.db")).Length / (1024.0 * 1024.0):N0} MiB");

            var targets = string.Join("\n", Enumerable.Range(0, services).Select(i => $"  svc-{i} {{ url = \"{targetUrl}\", service = \"svc-{i}\" }}"));
            await using var process = DaemonProcess.Start(daemon, $$"""
                autopilot.persistence.journal.plugin = sqlite
                autopilot.persistence.journal.sqlite.connection-string = "{{connection}}"
                autopilot.api.tokens.bench { role = viewer, token = "{{Token}}" }
                autopilot.http.rate-limit.permits = 100000
                autopilot.agents.health.interval = 5m
                autopilot.agents.health.targets {
                {{targets}}
                }
                """);
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            var ready = await process.WaitReadyAsync(http, TimeSpan.FromMinutes(2));
            var caughtUp = await WaitCaughtUpAsync(http, process.Address);
            Console.WriteLine($"# ready {ready.TotalSeconds:F1} s after start; the dashboard's view had read the history {caughtUp.TotalSeconds:F1} s after that");
            using (var uptime = JsonDocument.Parse(await http.GetStringAsync(new Uri(process.Address, "/api/uptime"))))
            {
                var first = uptime.RootElement.GetProperty("targets")[0].GetProperty("windows").GetProperty("30d");
                Console.WriteLine($"# svc-0 30d: {first.GetProperty("percent").GetDouble():F3} % over {first.GetProperty("probes").GetInt32():N0} probes");
            }

            var rows = new List<string[]>();
            foreach (var call in Calls)
            {
                var uri = new Uri(process.Address, call);
                for (var i = 0; i < 5; i++)
                {
                    await TimeAsync(http, uri);
                }

                var times = new List<double>();
                var bytes = 0;
                for (var i = 0; i < requests; i++)
                {
                    var (ms, size) = await TimeAsync(http, uri);
                    times.Add(ms);
                    bytes = size;
                }

                var sorted = times.Order().ToArray();
                rows.Add([call, F(BenchmarkConsole.Median(sorted)), F(BenchmarkConsole.Percentile(sorted, 0.95)), F(sorted[^1]), (bytes / 1024.0).ToString("F1", CultureInfo.InvariantCulture)]);
            }

            BenchmarkConsole.PrintTable(["call", "median ms", "p95 ms", "max ms", "KiB"], rows, textColumns: 1);
            await PageAsync(process.Address, pageRuns);
            await process.StopAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Time to interactive: from navigation until the page marks itself ready (all panels drawn from the API).</summary>
    private static async Task PageAsync(Uri address, int runs)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-background-networking"],
        });
        var rows = new List<string[]>();
        foreach (var (name, width, height) in new[] { ("desktop 1280x800", 1280, 800), ("phone 390x844", 390, 844) })
        {
            var outside = new List<double>();
            var inside = new List<double>();
            var loaded = new List<double>();
            var answered = new List<double>();
            for (var run = 0; run <= runs; run++)
            {
                // A fresh context each time: nothing cached, the token in session storage as after signing in.
                await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
                await context.AddInitScriptAsync($"sessionStorage.setItem('autopilot.token', '{Token}')");
                var page = await context.NewPageAsync();
                var started = Stopwatch.GetTimestamp();
                await page.GotoAsync(address.ToString());
                await page.WaitForSelectorAsync("body[data-ready=true]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached, Timeout = 60_000 });
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                // On the browser's clock (from navigation start): the page's own mark of becoming interactive, its files
                // loaded (DOMContentLoaded), the last API answer in; the difference to the stopwatch is Playwright's round trips.
                var split = await page.EvaluateAsync<double[]>(
                    "() => [performance.getEntriesByName('dashboard-ready')[0].startTime, performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd, " +
                    "Math.max(...performance.getEntriesByType('resource').filter(r => r.name.includes('/api/')).map(r => r.responseEnd))]");
                if (run > 0)
                {
                    // Run 0 warms the daemon's page routes and the browser.
                    outside.Add(elapsed);
                    inside.Add(split[0]);
                    loaded.Add(split[1]);
                    answered.Add(split[2]);
                }
            }

            var sorted = outside.Order().ToArray();
            rows.Add([name, F(BenchmarkConsole.Median(sorted)), F(sorted[^1]), F(BenchmarkConsole.Median(inside)), F(BenchmarkConsole.Median(loaded)),
                F(BenchmarkConsole.Median(answered))]);
        }

        BenchmarkConsole.PrintTable(["page (time to interactive)", "median ms", "max ms", "browser: ready", "files loaded", "last API answer"], rows, textColumns: 1);
    }

    private static async Task<TimeSpan> WaitCaughtUpAsync(HttpClient http, Uri address)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(5))
        {
            using var services = JsonDocument.Parse(await http.GetStringAsync(new Uri(address, "/api/dashboard/services")));
            if (services.RootElement.GetProperty("caughtUp").GetBoolean())
            {
                return clock.Elapsed;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The dashboard's view did not read the history within 5 minutes.");
    }

    private static async Task<(double Ms, int Bytes)> TimeAsync(HttpClient http, Uri uri)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(uri);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsByteArrayAsync();
        return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, body.Length);
    }

    /// <summary>The probed endpoint: answers 200 to every GET (the daemon probes it once at start and then every 5 min).</summary>
    private static HttpListener HealthyTarget(out string url)
    {
        var port = DaemonProcess.FreePort();
        url = $"http://127.0.0.1:{port}/healthz";
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                try
                {
                    var context = await listener.GetContextAsync();
                    context.Response.StatusCode = 200;
                    context.Response.Close();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
            }
        });
        return listener;
    }

    /// <summary>Writes the history through the daemon's journal configuration; returns how many probe records.</summary>
    private static async Task<int> FillAsync(string connection, int services, int days, int events)
    {
        await using var running = await AkkaStack.Daemon("sqlite", connection)();
        var now = DateTimeOffset.UtcNow;
        var interval = TimeSpan.FromMinutes(5);
        var perService = (int)(TimeSpan.FromDays(days) / interval);
        var random = new Random(15);
        var probes = new List<object>(services * perService);
        for (var s = 0; s < services; s++)
        {
            // Each service has a few outages of 10-60 minutes somewhere in the month.
            var outages = Enumerable.Range(0, 3).Select(_ => (Start: random.Next(perService), Length: random.Next(2, 13))).ToArray();
            for (var i = 0; i < perService; i++)
            {
                var down = outages.Any(o => i >= o.Start && i < o.Start + o.Length);
                var at = now - (perService - i) * interval;
                probes.Add(new Tagged(new HealthProbed($"svc-{s}", $"svc-{s}", !down, down ? 503 : 200, 40 + random.Next(40), 55, down ? "answered 503" : null, at, interval),
                    [HealthProbed.Tag]));
            }
        }

        // In time order, as the recorder would have written them.
        probes.Sort((a, b) => ((HealthProbed)((Tagged)a).Payload).At.CompareTo(((HealthProbed)((Tagged)b).Payload).At));
        var audit = Enumerable.Range(0, events).Select(i => AuditEvent(i, services, now - TimeSpan.FromDays(days) + TimeSpan.FromDays(days) * i / events)).ToList();
        await Task.WhenAll(
            running.System.ActorOf(Props.Create(() => new Filler(ProbeRecorder.StreamId))).Ask<Filler.Filled>(new Filler.Fill(probes), TimeSpan.FromHours(1)),
            running.System.ActorOf(Props.Create(() => new Filler("dashboard-bench-audit"))).Ask<Filler.Filled>(new Filler.Fill(audit), TimeSpan.FromHours(1)));
        return probes.Count;
    }

    /// <summary>A month's mix of what the autopilot records: mostly observations, some decisions and actions, alerts, incidents and approvals.</summary>
    private static object AuditEvent(int i, int services, DateTimeOffset at)
    {
        var service = $"svc-{i % services}";
        var commit = (i * 7919).ToString("x8", CultureInfo.InvariantCulture);
        return (i % 50) switch
        {
            < 25 => new Observed("railway", "deployment-status", $"{service} deployment d-{i} SUCCESS", service, $"d-{i}", commit, at, "SUCCESS"),
            < 32 => new ExternalEventReceived("github", "push", $"delivery-{i}", at),
            < 36 => new Decided(service, "checks-passed", [PolicyActions.Deploy], "policy rule \"checks-passed\"", false, null, commit, at, 90),
            < 40 => new ActionRequested($"a-{i}", "railway", (i % 7) switch { 0 => PolicyActions.Rollback, 1 => PolicyActions.Restart, _ => PolicyActions.Deploy },
                service, new Dictionary<string, string>(), $"d-{i}", commit, at),
            < 44 => new ActionCompleted($"a-{i - 4}", "done", "railway", service, at),
            45 => new ActionFailed($"a-{i - 5}", "Railway answered 500", "railway", service, at),
            < 48 => new AlertSent((AlertSeverity)(i % 3), $"{service}: something to look at", $"{service}:fp-{i % 100}", ["journal"], service, at),
            48 => new IncidentOpened($"inc-{i}", service, $"{service}:fp-{i % 100}", $"{service}: build failed", $"d-{i}", commit, at),
            _ => new IncidentUpdated($"inc-{i - 1}", "resolved", "healthy again", at),
        };
    }

    private static int Int(string[] args, string name, int fallback) =>
        int.Parse(BenchmarkConsole.Option(args, name) ?? fallback.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string F(double ms) => ms.ToString("F1", CultureInfo.InvariantCulture);

    /// <summary>Writes a prepared list of events into one stream in atomic batches of 1,000.</summary>
    private sealed class Filler : ReceivePersistentActor
    {
        public Filler(string persistenceId)
        {
            PersistenceId = persistenceId;
            Command<Fill>(fill =>
            {
                var replyTo = Sender;
                var next = 0;
                void Batch()
                {
                    var batch = fill.Events.Skip(next).Take(1000).ToArray();
                    next += batch.Length;
                    PersistAll(batch, e =>
                    {
                        if (ReferenceEquals(e, batch[^1]))
                        {
                            if (next < fill.Events.Count)
                            {
                                Batch();
                            }
                            else
                            {
                                replyTo.Tell(new Filled());
                            }
                        }
                    });
                }

                Batch();
            });
        }

        public override string PersistenceId { get; }

        public sealed record Fill(IReadOnlyList<object> Events);

        public sealed record Filled;
    }
}
