using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Autopilot.Daemon.Tests.Fixtures;

namespace Autopilot.Cli.Tests;

/// <summary>
/// <c>autopilotd</c> as its own OS process in a fresh working directory, configured only through the environment, on
/// a free loopback port; its output is kept for assertions.
/// </summary>
public sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private DaemonProcess(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Host = $"127.0.0.1:{port}";
    }

    public string Host { get; }

    public string Directory => _directory;

    public ConcurrentQueue<string> Log { get; } = new();

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts the daemon and waits until it answers HTTP.</summary>
    public static async Task<DaemonProcess> StartAsync(IReadOnlyDictionary<string, string> environment, string token)
    {
        var directory = Path.Combine(Path.GetTempPath(), "autopilot-cli-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "autopilotd.dll")])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["AUTOPILOT_HTTP_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var daemon = new DaemonProcess(Process.Start(start)!, directory, port);
        daemon._process.OutputDataReceived += (_, e) => { if (e.Data is not null) daemon.Log.Enqueue(e.Data); };
        daemon._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) daemon.Log.Enqueue(e.Data); };
        daemon._process.BeginOutputReadLine();
        daemon._process.BeginErrorReadLine();
        await Poll.UntilAsync(() => daemon._process.HasExited || daemon.RunAsync(token, "health").GetAwaiter().GetResult().ExitCode != ExitCodes.Unreachable,
            "the daemon to listen", TimeSpan.FromSeconds(60));
        return daemon;
    }

    /// <summary>Runs the CLI against this daemon.</summary>
    public Task<CliRun> RunAsync(string token, params string[] args) =>
        CliRun.ExecAsync(new Dictionary<string, string> { ["AUTOPILOT_HOST"] = Host, ["AUTOPILOT_TOKEN"] = token }, args);

    /// <summary>Sends a POSIX signal (15 = SIGTERM).</summary>
    public void Signal(int signal) => Assert.Equal(0, Kill(_process.Id, signal));

    /// <summary>Waits for the process to exit (generous deadline) and returns its exit code.</summary>
    public async Task<int> ExitedAsync()
    {
        using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await _process.WaitForExitAsync(exit.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        System.IO.Directory.Delete(_directory, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
