using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Autopilot.Daemon.Metrics;

namespace Autopilot.Daemon.Tests.Metrics;

/// <summary>The process series under their usual names, with values that are this process's own.</summary>
public sealed class ProcessMetricsTests
{
    [Fact]
    public async Task The_process_series_report_this_process_and_follow_it_between_scrapes()
    {
        var metrics = new AutopilotMetrics();
        var first = await ScrapeAsync(metrics);

        Assert.InRange(Value(first, "process_num_threads"), 2, 10_000);
        Assert.InRange(Value(first, "process_working_set_bytes"), 1024 * 1024, Environment.WorkingSet * 4.0);
        Assert.InRange(Value(first, "process_start_time_seconds"), DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.DoesNotContain("process_open_handles", first); // its cost grows with the sockets open (see ProcessMetrics)

        // Burn some CPU and collect: the counters move with the process.
        var until = Environment.CpuUsage.TotalTime + TimeSpan.FromMilliseconds(50);
        while (Environment.CpuUsage.TotalTime < until)
        {
            _ = new byte[1024];
        }

        GC.Collect(0);
        var second = await ScrapeAsync(metrics);
        Assert.True(Value(second, "process_cpu_seconds_total") >= Value(first, "process_cpu_seconds_total") + 0.05);
        Assert.True(Value(second, "dotnet_collection_count_total{generation=\"0\"}") > Value(first, "dotnet_collection_count_total{generation=\"0\"}"));
    }

    private static async Task<string> ScrapeAsync(AutopilotMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static double Value(string exposition, string series)
    {
        var match = Regex.Match(exposition, $"^{Regex.Escape(series)} (\\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"{series} is not in the exposition");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
