using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Autopilot.Daemon.Tests.Fixtures;

/// <summary>
/// <c>autopilotd</c> as its own OS process (the assembly the test project copies next to itself), configured only
/// through the environment, on a free loopback port, in a working directory of its own; its output is kept for
/// assertions. Used where only a real process proves the point: SIGTERM, SIGKILL, exit codes, start-up errors.
/// </summary>
public sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly bool _ownsDirectory;

    private DaemonProcess(Process process, string directory, bool ownsDirectory, int port)
    {
        _process = process;
        _ownsDirectory = ownsDirectory;
        Directory = directory;
        Port = port;
        Host = $"127.0.0.1:{port}";
        Client = new HttpClient { BaseAddress = new Uri($"http://{Host}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>host:port the daemon listens on.</summary>
    public string Host { get; }

    /// <summary>The TCP port (kept across a restart on the same directory when passed back in).</summary>
    public int Port { get; }

    /// <summary>The working directory (its <c>data/</c> holds the SQLite journal by default).</summary>
    public string Directory { get; }

    /// <summary>An HTTP client with the daemon as base address.</summary>
    public HttpClient Client { get; }

    /// <summary>Every line the process wrote to stdout and stderr.</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public int Id => _process.Id;

    /// <summary>Starts the process without waiting for anything (for start-up failures).</summary>
    /// <param name="environment">Environment variables on top of the test process's (AUTOPILOT_HTTP_PORT is set here).</param>
    /// <param name="directory">Working directory to reuse (kept on dispose), or null for a fresh one (deleted on dispose).</param>
    /// <param name="port">Port to listen on, or null for a free one.</param>
    /// <param name="arguments">Command-line arguments of autopilotd (e.g. <c>--config</c> and a file), or none.</param>
    public static DaemonProcess Launch(IReadOnlyDictionary<string, string> environment, string? directory = null, int? port = null,
        IReadOnlyList<string>? arguments = null)
    {
        var ownsDirectory = directory is null;
        directory ??= Path.Combine(Path.GetTempPath(), "autopilot-process-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var chosenPort = port ?? FreePort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "autopilotd.dll"), .. arguments ?? []])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The test host's own variables must not configure the daemon by accident.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AUTOPILOT_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["AUTOPILOT_HTTP_PORT"] = chosenPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var daemon = new DaemonProcess(Process.Start(start)!, directory, ownsDirectory, chosenPort);
        daemon._process.OutputDataReceived += (_, e) => { if (e.Data is not null) daemon.Log.Enqueue(e.Data); };
        daemon._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) daemon.Log.Enqueue(e.Data); };
        daemon._process.BeginOutputReadLine();
        daemon._process.BeginErrorReadLine();
        return daemon;
    }

    /// <summary>Starts the process and waits until <c>/ready</c> answers 200 (fails with its log if it exits first).</summary>
    /// <param name="what">Names this start in a failure (e.g. "the restart after SIGKILL").</param>
    public static async Task<DaemonProcess> StartAsync(IReadOnlyDictionary<string, string> environment, string? directory = null, int? port = null,
        string what = "the start", IReadOnlyList<string>? arguments = null)
    {
        var daemon = Launch(environment, directory, port, arguments);
        try
        {
            await daemon.ReadyAsync(what);
            return daemon;
        }
        catch
        {
            daemon.Dispose();
            throw;
        }
    }

    /// <summary>Waits until <c>/ready</c> answers 200.</summary>
    public async Task ReadyAsync(string what = "the start")
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new Xunit.Sdk.XunitException($"{what}: autopilotd exited with {_process.ExitCode} before it was ready:\n{string.Join('\n', Log)}");
            }

            try
            {
                using var response = await Client.GetAsync("/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > until)
            {
                throw new Xunit.Sdk.XunitException($"{what}: autopilotd was not ready in time:\n{string.Join('\n', Log)}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Sends a POSIX signal (9 = SIGKILL, 15 = SIGTERM).</summary>
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
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(30_000);
        }

        _process.Dispose();
        if (_ownsDirectory)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
                // Never written.
            }
        }
    }

    /// <summary>A TCP port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
