using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Autopilot.Benchmarks.Webhooks;

/// <summary>
/// A real <c>autopilotd</c> process on a free loopback port, so time to ready and resident memory are the process's
/// own, not a test host's. Stopped with SIGTERM (a graceful, coordinated shutdown) and killed if it overstays.
/// </summary>
internal sealed class DaemonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly bool _keepDirectory;
    private readonly long _startedAt;

    private DaemonProcess(Process process, string directory, Uri address, bool keepDirectory, long startedAt)
    {
        _startedAt = startedAt;
        _process = process;
        _directory = directory;
        _keepDirectory = keepDirectory;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>The daemon's data directory (autopilot.daemon.data-dir), deleted on dispose.</summary>
    public string DataDirectory => Path.Combine(_directory, "data");

    public int ProcessId => _process.Id;

    /// <summary>Starts the daemon with <paramref name="hocon"/> as its --config file; the port is chosen here.</summary>
    /// <param name="keepDirectory">Leave the data directory on dispose (the caller reads the journal afterwards and deletes
    /// the parent of <see cref="DataDirectory"/> itself).</param>
    /// <param name="environment">Variables set for the daemon only (runtime knobs such as <c>DOTNET_…</c>), so the
    /// benchmark's own senders run as they always do.</param>
    public static DaemonProcess Start(string daemonDll, string hocon, bool keepDirectory = false, IReadOnlyDictionary<string, string>? environment = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"autopilot-webhook-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var port = FreePort();
        var config = Path.Combine(directory, "autopilot.conf");
        File.WriteAllText(config, $"""
            autopilot.daemon.data-dir = "{Path.Combine(directory, "data").Replace("\\", "/")}"
            autopilot.http.port = {port}
            {hocon}
            """);
        var start = new ProcessStartInfo("dotnet", [daemonDll, "--config", config])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var startedAt = Stopwatch.GetTimestamp();
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine($"autopilotd: {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new DaemonProcess(process, directory, new Uri($"http://127.0.0.1:{port}"), keepDirectory, startedAt);
    }

    /// <summary>Polls /ready every 10 ms until it answers 200; returns how long that took from just before the process was started.</summary>
    public async Task<TimeSpan> WaitReadyAsync(HttpClient client, TimeSpan limit)
    {
        var deadline = DateTime.Now + limit;
        while (DateTime.Now < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"autopilotd exited with {_process.ExitCode} before it was ready.");
            }

            try
            {
                using var response = await client.GetAsync(new Uri(Address, "/ready"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return Stopwatch.GetElapsedTime(_startedAt);
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"autopilotd was not ready within {limit}.");
    }

    /// <summary>Resident set size now, in MiB.</summary>
    public double ResidentMiB()
    {
        _process.Refresh();
        return _process.WorkingSet64 / (1024.0 * 1024.0);
    }

    /// <summary>SIGKILL: the process dies at once, as in a crash or an OOM kill (nothing of it runs any more).</summary>
    public void KillHard() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM, then waits for the exit; returns how long the graceful stop took.</summary>
    public async Task<TimeSpan> StopAsync(TimeSpan limit)
    {
        var started = Stopwatch.GetTimestamp();
        if (OperatingSystem.IsWindows())
        {
            _process.Kill();
        }
        else
        {
            _ = Kill(_process.Id, 15);
        }

        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        return Stopwatch.GetElapsedTime(started);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (!_keepDirectory)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>Finds <c>autopilotd.dll</c>: an explicit path, else the daemon's build output next to this repository.</summary>
    public static string Locate(string? explicitPath)
    {
        if (explicitPath is not null)
        {
            return File.Exists(explicitPath) ? Path.GetFullPath(explicitPath) : throw new FileNotFoundException($"--daemon {explicitPath} does not exist.");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var bin = Path.Combine(dir.FullName, "src", "Autopilot.Daemon", "bin");
            if (Directory.Exists(bin))
            {
                var candidates = Directory.GetFiles(bin, "autopilotd.dll", SearchOption.AllDirectories)
                    .OrderByDescending(f => f.Contains("Release", StringComparison.Ordinal))
                    .ThenByDescending(File.GetLastWriteTimeUtc)
                    .ToArray();
                if (candidates.Length > 0)
                {
                    return candidates[0];
                }
            }
        }

        throw new FileNotFoundException(
            "autopilotd.dll not found: build it first (dotnet build -c Release src/Autopilot.Daemon) or pass --daemon <path>.");
    }

    /// <summary>A TCP port on loopback that nothing listens on now.</summary>
    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
