using Autopilot.Benchmarks.Actors;
using Autopilot.Benchmarks.Failover;
using Autopilot.Benchmarks.Persistence;
using Autopilot.Benchmarks.Webhooks;

// Benchmarks print figures; they assert nothing. Run in Release:
//   dotnet run -c Release --project tests/Autopilot.Benchmarks -- <scenario> [options]
switch (args.FirstOrDefault())
{
    case "actors":
        await ActorBenchmarks.RunAsync(args[1..]);
        return 0;
    case "persistence":
        await PersistenceBenchmark.RunAsync(args[1..]);
        return 0;
    case "webhooks":
        await WebhookBenchmark.RunAsync(args[1..]);
        return 0;
    case "failover":
        await FailoverBenchmark.RunAsync(args[1..]);
        return 0;
    default:
        Console.Error.WriteLine(
            "usage: Autopilot.Benchmarks <scenario> [options]\nscenarios:\n" +
            "  actors [--runs N]\n" +
            "  persistence [--seconds N] [--runs N] [--backend inmem|sqlite|postgresql|all]\n" +
            "  webhooks [options] (build src/Autopilot.Daemon in Release first)\n" +
            "  failover [--runs N] [--timings default|test]");
        return 2;
}
