using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Autopilot.Daemon.ClusterHarness.Cluster;
using Autopilot.Daemon.ClusterHarness.Platforms;

namespace Autopilot.Daemon.ClusterHarness.Processes;

/// <summary>
/// One cluster node: an <c>autopilotd</c> OS process started as <c>dotnet autopilotd.dll --config node.conf</c>, its
/// output captured to a log file (kept for diagnosis, never parsed for assertions), and the signals a fail-over
/// scenario sends it. A node can be started again after it died, as a process supervisor would (a new incarnation).
/// </summary>
public sealed class DaemonNode : IAsyncDisposable
{
    private readonly string _daemonDll;
    private readonly Lock _logGate = new();
    private readonly StreamWriter _log;
    private Process? _process;
    private bool _stopped;

    internal DaemonNode(string nodeId, string directory, string configPath, Uri address, string apiToken, NodeCredentials credentials, string daemonDll)
    {
        NodeId = nodeId;
        Directory = directory;
        ConfigPath = configPath;
        Address = address;
        Credentials = credentials;
        _daemonDll = daemonDll;
        LogPath = Path.Combine(directory, "autopilotd.log");
        _log = new StreamWriter(new FileStream(LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        // Short timeout per request: a call to a stopped or dying node must fail, not hang the test.
        Api = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiToken);
    }

    /// <summary>The node id (also its <c>autopilot.daemon.node-name</c>).</summary>
    public string NodeId { get; }

    /// <summary>The node's own directory: configuration, data dir, log.</summary>
    public string Directory { get; }

    /// <summary>The HOCON file the daemon is started with.</summary>
    public string ConfigPath { get; }

    /// <summary>Everything the daemon wrote to stdout and stderr, across incarnations.</summary>
    public string LogPath { get; }

    /// <summary>HTTP address of the node on loopback.</summary>
    public Uri Address { get; }

    /// <summary>The platform credentials only this node uses, so the fakes can tell which node called them.</summary>
    public NodeCredentials Credentials { get; }

    /// <summary>Client of the node's admin API, authorised with the admin token.</summary>
    public HttpClient Api { get; }

    /// <summary>How many times the process was started.</summary>
    public int Starts { get; private set; }

    /// <summary>The current (or last) process id.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException($"{NodeId} was never started.");

    /// <summary>True when the current process has exited.</summary>
    public bool HasExited => _process is { HasExited: true };

    /// <summary>True while the process is frozen by <see cref="PosixSignal.Stop"/>; do not call its API then.</summary>
    public bool IsStopped => _stopped && !HasExited;

    /// <summary>The exit code of the current process, or null while it runs.</summary>
    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    /// <summary>True when the node can answer HTTP (started, not exited, not frozen).</summary>
    public bool IsResponsive => _process is not null && !HasExited && !_stopped;

    /// <summary>Starts the daemon process (again, after it exited: a new incarnation).</summary>
    public void Start()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException($"{NodeId} is already running (pid {_process.Id}).");
        }

        _process?.Dispose();
        _stopped = false;
        Starts++;
        WriteLog($"---- harness: starting {NodeId}, start #{Starts} ----");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { _daemonDll, "--config", ConfigPath })
        {
            start.ArgumentList.Add(argument);
        }

        // The file decides everything: nothing from the test runner's environment may override it.
        foreach (var name in start.Environment.Keys.Where(IsDaemonVariable).ToArray())
        {
            start.Environment.Remove(name);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => WriteLog(e.Data);
        process.ErrorDataReceived += (_, e) => WriteLog(e.Data);
        process.Exited += (_, _) => WriteLog($"---- harness: {NodeId} exited with {process.ExitCode} ----");
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start dotnet for {NodeId}.");
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>Sends <paramref name="signal"/> to the process and remembers whether it is now frozen.</summary>
    /// <exception cref="InvalidOperationException">The process has already exited.</exception>
    public void Signal(PosixSignal signal)
    {
        if (_process is null || _process.HasExited)
        {
            throw new InvalidOperationException(
                $"{NodeId} cannot receive {signal}: it {(_process is null ? "was never started" : $"already exited with {_process.ExitCode}")}.");
        }

        WriteLog($"---- harness: sending {signal} to {NodeId} (pid {_process.Id}) ----");
        PosixSignals.Send(_process.Id, signal);
        _stopped = signal switch
        {
            PosixSignal.Stop => true,
            PosixSignal.Continue => false,
            _ => _stopped,
        };
    }

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    /// <exception cref="TimeoutException">It is still running after <paramref name="deadline"/>.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan deadline)
    {
        var process = _process ?? throw new InvalidOperationException($"{NodeId} was never started.");
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{NodeId} (pid {process.Id}) was still running {deadline.TotalSeconds:F0} s later.");
        }

        return process.ExitCode;
    }

    /// <summary>Polls <c>/ready</c> until it answers 200.</summary>
    /// <exception cref="InvalidOperationException">The process exited first; the message carries the end of its log.</exception>
    /// <exception cref="TimeoutException">Not ready within <paramref name="deadline"/>.</exception>
    public async Task WaitUntilReadyAsync(TimeSpan deadline)
    {
        var until = Stopwatch.GetTimestamp() + (long)(deadline.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            if (HasExited)
            {
                throw new InvalidOperationException($"{NodeId} exited with {ExitCode} before it was ready. End of its log:\n{LogTail(40)}");
            }

            try
            {
                using var response = await Api.GetAsync(new Uri("/ready", UriKind.Relative)).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        throw new TimeoutException($"{NodeId} was not ready within {deadline.TotalSeconds:F0} s. End of its log:\n{LogTail(40)}");
    }

    /// <summary>This node's view of the cluster (<c>GET /api/cluster</c>).</summary>
    public async Task<ClusterView> ClusterViewAsync(CancellationToken cancellationToken = default)
    {
        using var response = await Api.GetAsync(new Uri("/api/cluster", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET /api/cluster on {NodeId} answered {(int)response.StatusCode}: {body}", null, response.StatusCode);
        }

        return ClusterView.Parse(body);
    }

    /// <summary>The last <paramref name="lines"/> lines of the node's log.</summary>
    public string LogTail(int lines)
    {
        lock (_logGate)
        {
            using var reader = new StreamReader(new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
    }

    /// <summary>Kills the process if it still runs (frozen or not) and releases the log.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            // SIGKILL also ends a SIGSTOPped process; the daemon starts no children, but take any tree down anyway.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process?.Dispose();
        Api.Dispose();
        lock (_logGate)
        {
            _log.Dispose();
        }
    }

    /// <summary>Kills the process without waiting (the test host is exiting).</summary>
    internal void KillNow()
    {
        try
        {
            if (_process is { HasExited: false } process)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private void WriteLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logGate)
        {
            try
            {
                _log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} {line}"));
            }
            catch (ObjectDisposedException)
            {
                // Output that arrives after the node was disposed has nobody to read it.
            }
        }
    }

    private static bool IsDaemonVariable(string name) =>
        name.StartsWith("AUTOPILOT_", StringComparison.Ordinal) || name.StartsWith("RAILWAY_", StringComparison.Ordinal)
        || name.StartsWith("GITHUB_", StringComparison.Ordinal) || name.StartsWith("TELEGRAM_", StringComparison.Ordinal)
        || name.StartsWith("N8N_", StringComparison.Ordinal);
}
