using Autopilot.Benchmarks.Actors;
using Autopilot.Benchmarks.Persistence;

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
    default:
        Console.Error.WriteLine(
            "usage: Autopilot.Benchmarks <scenario> [options]\nscenarios:\n" +
            "  actors [--runs N]\n" +
            "  persistence [--seconds N] [--backend sqlite|postgresql|all]");
        return 2;
}
