using System.Diagnostics;
using System.Globalization;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Protocol;
using Autopilot.Benchmarks.Reporting;
using Autopilot.Benchmarks.Stacks;
using Autopilot.Benchmarks.Webhooks;
using Autopilot.Daemon.Audit;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Simulation;
using Autopilot.Platforms.Railway;
using Autopilot.Simulator.Railway;

namespace Autopilot.Benchmarks.Rollback;

/// <summary>
/// Build failure → rollback requested, on the simulated platforms: the simulator's fakes (Railway, GitHub, n8n,
/// Telegram, seeded as <c>autopilotd --simulate</c> seeds them: a green commit whose Railway build fails) run in this
/// process, a real <c>autopilotd</c> (SQLite journal, shipped settings) runs against them. The daemon deploys the
/// commit, its deployment monitor polls Railway, sees FAILED and the orchestrator asks the Railway worker to roll back.
/// </summary>
/// <remarks>
/// Instants, all on this machine's clock: FAILED is due on the fake's schedule (created + 3 steps); the fake reports it
/// in its answer to the monitor's first <c>Deployment</c> query for that deployment at or after that instant (the
/// fake settles statuses when asked); the orchestrator's <see cref="Observed"/> (status failed) and
/// <see cref="ActionRequested"/> (action rollback) carry the orchestrator's own time and are read back from its stream
/// after the daemon stopped; the rollback reaches the fake with the Railway worker's first request after that (its
/// <c>Deployments</c> listing, which picks the rollback target; after a failed build the last good deployment still
/// serves, so Railway is not asked to redeploy anything). The headline figure is FAILED reported → rollback at the fake.
/// </remarks>
public static class RollbackBenchmark
{
    /// <summary>Options: <c>--runs N</c> (default 5), <c>--step-ms N</c> Railway fake's time per deployment status (2000), <c>--daemon path</c>.</summary>
    public static async Task RunAsync(string[] args)
    {
        var runs = int.Parse(BenchmarkConsole.Option(args, "--runs") ?? "5", CultureInfo.InvariantCulture);
        var step = TimeSpan.FromMilliseconds(double.Parse(BenchmarkConsole.Option(args, "--step-ms") ?? "2000", CultureInfo.InvariantCulture));
        var daemonDll = DaemonProcess.Locate(BenchmarkConsole.Option(args, "--daemon"));
        Console.WriteLine($"# daemon: {daemonDll}; Railway fake {step.TotalMilliseconds:F0} ms per status; monitor poll interval and everything else as shipped; {runs} run(s)");
        var rows = new List<string[]>();
        var results = new List<Timeline>();
        for (var run = 1; run <= runs; run++)
        {
            var timeline = await RunOnceAsync(daemonDll, step);
            if (timeline is null)
            {
                rows.Add([$"{run}", "no rollback within the limit", "", "", "", "", ""]);
                continue;
            }

            results.Add(timeline);
            rows.Add([$"{run}", Ms(timeline.ReportedAfterDue), Ms(timeline.ObservedAfterReport), Ms(timeline.RequestedAfterObserved), Ms(timeline.ReachedAfterRequested),
                Ms(timeline.ReachedAfterReport), Ms(timeline.ReachedAfterDue)]);
        }

        if (results.Count > 0)
        {
            string Summary(Func<Timeline, TimeSpan> pick)
            {
                var values = results.Select(r => pick(r).TotalMilliseconds).Order().ToArray();
                return $"{BenchmarkConsole.Median(values):F0} [{values[0]:F0}–{values[^1]:F0}]";
            }

            rows.Add(["median [min–max]", Summary(t => t.ReportedAfterDue), Summary(t => t.ObservedAfterReport), Summary(t => t.RequestedAfterObserved),
                Summary(t => t.ReachedAfterRequested), Summary(t => t.ReachedAfterReport), Summary(t => t.ReachedAfterDue)]);
        }

        BenchmarkConsole.PrintTable(["run", "FAILED due → reported ms", "reported → observed ms", "observed → rollback requested ms",
            "requested → at the fake ms", "FAILED reported → rollback at the fake ms", "FAILED due → rollback at the fake ms"], rows, textColumns: 1);
    }

    private static string Ms(TimeSpan span) => span.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture);

    private sealed record Timeline(DateTimeOffset Due, DateTimeOffset Reported, DateTimeOffset Observed, DateTimeOffset Requested, DateTimeOffset Reached)
    {
        public TimeSpan ReportedAfterDue => Reported - Due;
        public TimeSpan ObservedAfterReport => Observed - Reported;
        public TimeSpan RequestedAfterObserved => Requested - Observed;
        public TimeSpan ReachedAfterRequested => Reached - Requested;
        public TimeSpan ReachedAfterReport => Reached - Reported;
        public TimeSpan ReachedAfterDue => Reached - Due;
    }

    private static async Task<Timeline?> RunOnceAsync(string daemonDll, TimeSpan step)
    {
        await using var platforms = await SimulatedPlatforms.StartAsync(TimeProvider.System, new RailwayFakeOptions(step));
        var dataDirectory = "";
        await using (var daemon = DaemonProcess.Start(daemonDll, platforms.Overrides + "\nautopilot.persistence.journal.plugin = sqlite\n", keepDirectory: true))
        {
            dataDirectory = daemon.DataDirectory;
            using var client = new HttpClient();
            await daemon.WaitReadyAsync(client, TimeSpan.FromSeconds(60));
            // The loop ends with a CRITICAL alert on Telegram after the rollback was handled; wait for it (bounded).
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromMinutes(2) && platforms.Telegram.MessagesIn(SimulatedPlatforms.DemoChatId).Count == 0)
            {
                await Task.Delay(100);
            }

            await Task.Delay(500);
            await daemon.StopAsync(TimeSpan.FromSeconds(40));
        }

        try
        {
            var broken = platforms.Railway.Deployments.FirstOrDefault(d => d.Status == DeploymentStatus.Failed && d.RollbackOf is null);
            if (broken is null)
            {
                Console.Error.WriteLine("rollback: no FAILED deployment on the Railway fake");
                return null;
            }

            var due = broken.CreatedAt + 3 * step;
            var calls = platforms.Railway.Calls;
            var reported = calls.FirstOrDefault(c => c.OperationName == "Deployment" && c.ReceivedAt >= due
                                                     && c.Variables["id"]?.GetValue<string>() == broken.Id);
            var (observed, requested) = await ReadOrchestratorAsync(Path.Combine(dataDirectory, "autopilot.db"), broken.Id);
            if (reported is null || observed is null || requested is null)
            {
                Console.Error.WriteLine($"rollback: incomplete timeline (reported {reported?.ReceivedAt:O}, observed {observed:O}, requested {requested:O})");
                return null;
            }

            var reached = calls.FirstOrDefault(c => c.ReceivedAt >= requested.Value && c.OperationName is "Deployments" or "DeploymentRollback");
            if (reached is null)
            {
                Console.Error.WriteLine("rollback: the rollback never reached the Railway fake");
                return null;
            }

            Console.Error.WriteLine("rollback: Railway calls from FAILED due: " + string.Join(", ", calls.Where(c => c.ReceivedAt >= due && c.ReceivedAt <= reached.ReceivedAt)
                .Select(c => $"{c.OperationName}+{(c.ReceivedAt - due).TotalMilliseconds:F0}ms")));
            return new Timeline(due, reported.ReceivedAt, observed.Value, requested.Value, reached.ReceivedAt);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(dataDirectory)!, recursive: true);
        }
    }

    /// <summary>When the orchestrator observed the FAILED deployment and when it requested the rollback, from its stream.</summary>
    private static async Task<(DateTimeOffset? Observed, DateTimeOffset? Requested)> ReadOrchestratorAsync(string sqliteFile, string deploymentId)
    {
        await using var running = await AkkaStack.Daemon(JournalSelection.Sqlite, $"Data Source={sqliteFile}")();
        var queries = new AuditQueries(running.System, running.Database!);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        DateTimeOffset? observed = null;
        DateTimeOffset? requested = null;
        await foreach (var envelope in queries.CurrentEventsByPersistenceId(Orchestrator.DefaultPersistenceId, 1, timeout.Token))
        {
            switch (envelope.Event)
            {
                case Observed o when observed is null && o.Kind == ObservationKinds.DeploymentStatus && o.DeploymentId == deploymentId
                                     && string.Equals(o.Status, "failed", StringComparison.OrdinalIgnoreCase):
                    observed = o.At;
                    break;
                case ActionRequested a when requested is null && string.Equals(a.Action, "rollback", StringComparison.OrdinalIgnoreCase):
                    requested = a.At;
                    break;
            }
        }

        return (observed, requested);
    }
}
