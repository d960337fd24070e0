using System.Diagnostics;
using Autopilot.Benchmarks.Reporting;

namespace Autopilot.Benchmarks.Persistence;

/// <summary>
/// How long the disk under a directory takes to make one small write durable (8 KiB rewritten in place, then
/// fsync): the floor under every synchronous commit. The same code's journal figures differ between days by as much
/// as this differs, so each persistence table is printed with it.
/// </summary>
internal static class DiskFlushProbe
{
    private const int BlockSize = 8192;

    /// <summary>Median and 99th percentile of <paramref name="flushes"/> write+fsync cycles in <paramref name="directory"/>, in ms.</summary>
    public static (double P50, double P99) Measure(string directory, int flushes = 500)
    {
        var path = Path.Combine(directory, $"autopilot-flush-probe-{Guid.NewGuid():N}");
        var block = new byte[BlockSize];
        Random.Shared.NextBytes(block);
        var timings = new double[flushes];
        try
        {
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
            file.Write(block);
            file.Flush(flushToDisk: true);
            for (var i = 0; i < flushes; i++)
            {
                var started = Stopwatch.GetTimestamp();
                file.Position = 0;
                file.Write(block);
                file.Flush(flushToDisk: true);
                timings[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }
        finally
        {
            File.Delete(path);
        }

        Array.Sort(timings);
        return (BenchmarkConsole.Percentile(timings, 0.50), BenchmarkConsole.Percentile(timings, 0.99));
    }
}
