using Autopilot.Benchmarks.Persistence;

// dotnet run -c Release --project tests/Autopilot.Benchmarks -- <scenario> [options]
switch (args.FirstOrDefault())
{
    case "persistence":
        await PersistenceBenchmark.RunAsync(args[1..]);
        return 0;
    default:
        Console.Error.WriteLine("usage: Autopilot.Benchmarks <scenario> [options]\nscenarios:\n  persistence [--seconds N] [--backend sqlite|postgresql|all]");
        return 2;
}
