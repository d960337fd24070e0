using Autopilot.Benchmarks.Audit;
using Autopilot.Benchmarks.Dashboard;
using Autopilot.Benchmarks.Failover;
using Autopilot.Benchmarks.Migrations;
using Autopilot.Benchmarks.Persistence;
using Autopilot.Benchmarks.Rollback;
using Autopilot.Benchmarks.Tasks;
using Autopilot.Benchmarks.Sse;
using Autopilot.Benchmarks.Webhooks;

// Benchmarks print figures; they assert nothing. Run in Release:
//   dotnet run -c Release --project tests/Autopilot.Benchmarks -- <scenario> [options]
switch (args.FirstOrDefault())
{
    case "persistence":
        await PersistenceBenchmark.RunAsync(args[1..]);
        return 0;
    case "webhooks":
        await WebhookBenchmark.RunAsync(args[1..]);
        return 0;
    case "rollback":
        await RollbackBenchmark.RunAsync(args[1..]);
        return 0;
    case "failover":
        await FailoverBenchmark.RunAsync(args[1..]);
        return 0;
    case "audit":
        await AuditBenchmark.RunAsync(args[1..]);
        return 0;
    case "migrations":
        await MigrationsBenchmark.RunAsync(args[1..]);
        return 0;
    case "tasks":
        await TaskBenchmark.RunAsync(args[1..]);
        return 0;
    case "sse":
        await SseBenchmark.RunAsync(args[1..]);
        return 0;
    case "scrape":
        await MetricsScraper.RunAsync(args[1..]);
        return 0;
    case "dashboard":
        await DashboardBenchmark.RunAsync(args[1..]);
        return 0;
    default:
        Console.Error.WriteLine(
            "usage: Autopilot.Benchmarks <scenario> [options]\nscenarios:\n" +
            "  persistence [--seconds N] [--runs N] [--backend sqlite|postgresql|all] [--breakdown]\n" +
            "  webhooks [--requests N] [--warmup N] [--concurrency N] [--runs N] [--backend sqlite|postgresql|all] (build src/Autopilot.Daemon in Release first)\n" +
            "  rollback [--runs N] [--step-ms N] (build src/Autopilot.Daemon in Release first)\n" +
            "  failover [--runs N] [--akka-defaults] (build src/Autopilot.Daemon in Release first)\n" +
            "  audit [--events N] [--requests N] (build src/Autopilot.Daemon in Release first)\n" +
            "  migrations [--size-mb N] [--client-programs DIR]\n" +
            "  tasks [--tasks N] [--warmup N] (build src/Autopilot.Daemon in Release first)\n" +
            "  sse [--viewers N] [--rate N] [--seconds N] [--hocon \"...\"] (build src/Autopilot.Daemon in Release first)\n" +
            "  scrape --url URL [--interval-ms N] (the sse benchmark's scraper: one duration in ms per line until stdin closes)\n" +
            "  dashboard [--services N] [--days N] [--events N] [--requests N] [--page-runs N] (build src/Autopilot.Daemon in Release first; needs /usr/bin/chromium)");
        return 2;
}
