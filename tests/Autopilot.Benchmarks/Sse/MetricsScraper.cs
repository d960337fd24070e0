using System.Diagnostics;
using System.Globalization;
using Autopilot.Benchmarks.Reporting;

namespace Autopilot.Benchmarks.Sse;

/// <summary>
/// A Prometheus-like scraper in a process of its own (the <c>scrape</c> scenario): <c>GET --url</c> every
/// <c>--interval-ms</c> until its standard input closes, one duration in milliseconds per line on standard output. The
/// SSE benchmark starts it so the scrape's time is the daemon's answer, not the queue of the benchmark's own 500 stream
/// readers in front of the scraper's continuation.
/// </summary>
public static class MetricsScraper
{
    /// <summary>Runs the scraper (options <c>--url</c>, <c>--interval-ms</c> (250)).</summary>
    public static async Task RunAsync(string[] args)
    {
        var url = new Uri(BenchmarkConsole.Option(args, "--url") ?? throw new ArgumentException("--url is required"));
        var interval = TimeSpan.FromMilliseconds(int.Parse(BenchmarkConsole.Option(args, "--interval-ms") ?? "250", CultureInfo.InvariantCulture));
        using var stop = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            await Console.In.ReadToEndAsync();
            await stop.CancelAsync();
        });
        using var client = new HttpClient();
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            using (var response = await client.GetAsync(url, HttpCompletionOption.ResponseContentRead))
            {
                response.EnsureSuccessStatusCode();
            }

            Console.WriteLine(Stopwatch.GetElapsedTime(started).TotalMilliseconds.ToString("F2", CultureInfo.InvariantCulture));
            try
            {
                await Task.Delay(interval, stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Starts this benchmark program as a scraper of <paramref name="url"/>; dispose the handle to stop it and get the durations.</summary>
    public static Scraping Start(Uri url)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        // Under `dotnet run` or `dotnet <dll>` the host is dotnet and this assembly its argument; an apphost runs itself.
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet")
        {
            start.ArgumentList.Add(typeof(MetricsScraper).Assembly.Location);
        }

        foreach (var argument in new[] { "scrape", "--url", url.ToString() })
        {
            start.ArgumentList.Add(argument);
        }

        return new Scraping(Process.Start(start) ?? throw new InvalidOperationException("could not start the scraper"));
    }

    /// <summary>A running scraper.</summary>
    public sealed class Scraping(Process process)
    {
        private readonly Task<string> _output = process.StandardOutput.ReadToEndAsync();

        /// <summary>Stops it (closes its input) and returns the scrape durations in milliseconds.</summary>
        public async Task<double[]> StopAsync()
        {
            process.StandardInput.Close();
            var text = await _output.WaitAsync(TimeSpan.FromMinutes(1));
            await process.WaitForExitAsync();
            process.Dispose();
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        }
    }
}
