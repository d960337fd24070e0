using Autopilot.Benchmarks.Actors;

// Benchmarks print figures; they assert nothing. Run in Release:
//   dotnet run -c Release --project tests/Autopilot.Benchmarks -- actors [--runs 9]
var scenario = args.FirstOrDefault() ?? "actors";
switch (scenario)
{
    case "actors":
        await ActorBenchmarks.RunAsync(args);
        break;
    default:
        Console.Error.WriteLine($"Unknown benchmark '{scenario}'. Known: actors.");
        return 2;
}

return 0;
