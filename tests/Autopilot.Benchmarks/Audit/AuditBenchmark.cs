using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Akka.Actor;
using Akka.Persistence;
using Akka.Streams;
using Autopilot.Agents.Protocol;
using Autopilot.Benchmarks.Reporting;
using Autopilot.Benchmarks.Stacks;
using Autopilot.Benchmarks.Webhooks;

namespace Autopilot.Benchmarks.Audit;

/// <summary>
/// <c>GET /api/audit</c> on a large journal: fills a SQLite journal with N audit events through the daemon's own
/// persistence stack (the audit tagger tags them as the orchestrator's would be), starts a real <c>autopilotd</c> on it
/// and times pages of the newest events, one request at a time and eight at once.
/// </summary>
public static class AuditBenchmark
{
    private const string Token = "audit-benchmark-admin-token-0123456789";

    /// <summary>
    /// Options: <c>--events N</c> (1,000,000), <c>--requests N</c> per query (50), <c>--hocon "..."</c> more daemon
    /// configuration, <c>--trace</c> (instead of the daemon: one page through the read journal with linq2db's SQL trace),
    /// <c>--daemon path/to/autopilotd.dll</c>.
    /// </summary>
    public static async Task RunAsync(string[] args)
    {
        var events = int.Parse(BenchmarkConsole.Option(args, "--events") ?? "1000000", CultureInfo.InvariantCulture);
        var requests = int.Parse(BenchmarkConsole.Option(args, "--requests") ?? "50", CultureInfo.InvariantCulture);
        var daemon = DaemonProcess.Locate(BenchmarkConsole.Option(args, "--daemon"));
        var extra = BenchmarkConsole.Option(args, "--hocon") ?? "";
        var directory = Directory.CreateTempSubdirectory("autopilot-audit-bench").FullName;
        var connection = $"Data Source={Path.Combine(directory, "audit.db")}";
        try
        {
            Console.WriteLine($"# daemon: {daemon}");
            var filling = Stopwatch.StartNew();
            await FillAsync(connection, events);
            if (args.Contains("--trace"))
            {
                await TraceAsync(connection);
                return;
            }

            Console.WriteLine($"# {events:N0} audit events written in {filling.Elapsed.TotalSeconds:F0} s ({events / filling.Elapsed.TotalSeconds:N0}/s), " +
                $"journal {new FileInfo(Path.Combine(directory, "audit.db")).Length / (1024.0 * 1024.0):N0} MiB");

            await using var process = DaemonProcess.Start(daemon, $$"""
                autopilot.persistence.journal.plugin = sqlite
                autopilot.persistence.journal.sqlite.connection-string = "{{connection}}"
                autopilot.api.tokens.bench { role = admin, token = "{{Token}}" }
                autopilot.http.rate-limit.permits = 100000
                {{extra}}
                """);
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            await process.WaitReadyAsync(http, TimeSpan.FromMinutes(2));

            var rows = new List<string[]>();
            foreach (var (name, query) in new[]
                     {
                         ("newest 50", "/api/audit?limit=50"),
                         ("newest 5", "/api/audit?limit=5"),
                         ("newest 50 of one source", "/api/audit?limit=50&tag=github"),
                     })
            {
                var uri = new Uri(process.Address, query);
                for (var i = 0; i < 5; i++)
                {
                    (await http.GetAsync(uri)).EnsureSuccessStatusCode();
                }

                // A page that came back short would be a cheap answer to a different question.
                using (var page = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(uri)))
                {
                    Console.WriteLine($"# {name}: {page.RootElement.GetArrayLength()} records");
                }

                var one = new List<double>();
                for (var i = 0; i < requests; i++)
                {
                    one.Add(await TimeAsync(http, uri));
                }

                var parallel = new List<double>();
                for (var round = 0; round < Math.Max(1, requests / 8); round++)
                {
                    parallel.AddRange(await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => TimeAsync(http, uri))));
                }

                rows.Add([name, .. Figures(one), .. Figures(parallel)]);
            }

            BenchmarkConsole.PrintTable(["query", "p50 ms", "p90 ms", "max ms", "8 at once p50 ms", "p90 ms", "max ms"], rows, textColumns: 1);
            await process.StopAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static IEnumerable<string> Figures(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return [F(BenchmarkConsole.Percentile(sorted, 0.5)), F(BenchmarkConsole.Percentile(sorted, 0.9)), F(sorted[^1])];
    }

    private static string F(double ms) => ms.ToString("F1", CultureInfo.InvariantCulture);

    private static async Task<double> TimeAsync(HttpClient http, Uri uri)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(uri);
        response.EnsureSuccessStatusCode();
        await response.Content.ReadAsByteArrayAsync();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    // Diagnostics: one page's read-journal query with linq2db's trace (SQL and duration of each statement).
    private static async Task TraceAsync(string connection)
    {
        await using var running = await AkkaStack.Daemon("sqlite", connection, trace: info =>
        {
            if (info.TraceInfoStep is LinqToDB.Data.TraceInfoStep.AfterExecute or LinqToDB.Data.TraceInfoStep.Completed)
            {
                Console.WriteLine($"# {info.TraceInfoStep} {info.ExecutionTime?.TotalMilliseconds:F1} ms: {info.SqlText?.Replace('\n', ' ')}");
            }
        })();
        var journal = Akka.Persistence.Query.PersistenceQuery.Get(running.System)
            .ReadJournalFor<Akka.Persistence.Sql.Query.SqlReadJournal>("akka.persistence.query.journal.sql");
        var max = await running.Database!.NewestOffsetAsync("audit", CancellationToken.None);
        for (var i = 0; i < 2; i++)
        {
            var clock = Stopwatch.StartNew();
            var count = 0;
            await journal.CurrentEventsByTag("audit", Akka.Persistence.Query.Offset.Sequence(max - 64))
                .RunForeach(_ => count++, running.System.Materializer());
            Console.WriteLine($"# page {i}: {count} events in {clock.ElapsedMilliseconds} ms");
        }
    }

    // Four writers, 1,000 events per atomic write, through the daemon's journal configuration and audit tagger.
    private static async Task FillAsync(string connection, int events)
    {
        await using var running = await AkkaStack.Daemon("sqlite", connection)();
        const int writers = 4;
        var tasks = Enumerable.Range(0, writers).Select(w =>
        {
            var count = events / writers + (w < events % writers ? 1 : 0);
            return running.System.ActorOf(Props.Create(() => new AuditFiller($"audit-filler-{w}"))).Ask<AuditFiller.Filled>(new AuditFiller.Fill(count), TimeSpan.FromHours(1));
        });
        await Task.WhenAll(tasks);
    }

    /// <summary>Writes audit events in atomic batches of 1,000, as a busy orchestrator's journal would hold them.</summary>
    private sealed class AuditFiller : ReceivePersistentActor
    {
        private readonly string _persistenceId;

        public AuditFiller(string persistenceId)
        {
            _persistenceId = persistenceId;
            Command<Fill>(fill =>
            {
                var replyTo = Sender;
                var left = fill.Events;
                var at = DateTimeOffset.UtcNow;
                void Next()
                {
                    var batch = Enumerable.Range(0, Math.Min(1000, left))
                        .Select(i => new ExternalEventReceived(i % 3 == 0 ? "github" : "railway", "push", $"{_persistenceId}-{left - i}", at))
                        .ToArray();
                    left -= batch.Length;
                    PersistAll(batch, e =>
                    {
                        if (ReferenceEquals(e, batch[^1]))
                        {
                            if (left > 0)
                            {
                                Next();
                            }
                            else
                            {
                                replyTo.Tell(new Filled());
                            }
                        }
                    });
                }

                Next();
            });
        }

        public override string PersistenceId => _persistenceId;

        public sealed record Fill(int Events);

        public sealed record Filled;
    }
}
