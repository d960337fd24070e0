using System.Diagnostics;

namespace Autopilot.Benchmarks.Actors;

/// <summary>Runs a scenario several times and reports the median, min and max of a rate.</summary>
internal static class Measurement
{
    public static (double Median, double Min, double Max) Rate(int runs, Func<(long Operations, TimeSpan Elapsed)> scenario)
    {
        scenario(); // warm-up: JIT, tiering, thread-pool growth
        var rates = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var (operations, elapsed) = scenario();
            rates.Add(operations / elapsed.TotalSeconds);
        }

        rates.Sort();
        return (rates[rates.Count / 2], rates[0], rates[^1]);
    }

    public static (long Operations, TimeSpan Elapsed) Time(long operations, Action run)
    {
        var watch = Stopwatch.StartNew();
        run();
        return (operations, watch.Elapsed);
    }

    public static string Format(double rate) => rate switch
    {
        >= 1_000_000 => $"{rate / 1_000_000:0.00}M",
        >= 1_000 => $"{rate / 1_000:0.0}k",
        _ => $"{rate:0}",
    };
}
