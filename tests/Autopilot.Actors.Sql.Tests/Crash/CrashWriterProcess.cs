using System.Diagnostics;
using System.Reflection;
using Autopilot.Actors.Sql.CrashWriter;

namespace Autopilot.Actors.Sql.Tests.Crash;

/// <summary>One run of the CrashWriter child process: started with <c>dotnet</c>, killed with SIGKILL.</summary>
public sealed class CrashWriterProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(string PersistenceId, long SequenceNr)> _acks = [];
    private readonly List<string> _errors = [];

    private CrashWriterProcess(string plugin, string connectionString, int streams, string prefix)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Locate(), plugin, connectionString, streams.ToString(), prefix })
            info.ArgumentList.Add(argument);
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == "ready")
                _ready.TrySetResult();
            else if (CrashPayload.TryParseAck(e.Data, out var pid, out var seq))
                lock (_acks)
                    _acks.Add((pid, seq));
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                lock (_errors)
                    _errors.Add(e.Data);
        };
    }

    /// <summary>Acknowledged events, complete lines only.</summary>
    public IReadOnlyList<(string PersistenceId, long SequenceNr)> Acks
    {
        get { lock (_acks) return _acks.ToArray(); }
    }

    public static CrashWriterProcess Start(string plugin, string connectionString, int streams, string prefix)
    {
        var writer = new CrashWriterProcess(plugin, connectionString, streams, prefix);
        writer._process.Start();
        writer._process.BeginOutputReadLine();
        writer._process.BeginErrorReadLine();
        return writer;
    }

    /// <summary>Waits until the writer has opened its journal; fails with its error output if it died instead.</summary>
    public async Task WaitUntilReadyAsync()
    {
        var exited = _process.WaitForExitAsync();
        await Task.WhenAny(_ready.Task, exited, Task.Delay(TimeSpan.FromMinutes(1)));
        if (!_ready.Task.IsCompleted)
            throw new InvalidOperationException($"CrashWriter did not start: {Errors()}");
    }

    /// <summary>SIGKILLs the writer (no chance to flush or clean up) and waits until its output is drained.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited)
            throw new InvalidOperationException($"CrashWriter exited on its own before the kill (code {_process.ExitCode}): {Errors()}");
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private string Errors()
    {
        lock (_errors)
            return string.Join('\n', _errors);
    }

    /// <summary>The CrashWriter build output of the same configuration as this test assembly.</summary>
    private static string Locate()
    {
        var configuration = typeof(CrashWriterProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "Autopilot.Actors.Sql.CrashWriter", "bin", configuration, "net10.0", "Autopilot.Actors.Sql.CrashWriter.dll");
            if (File.Exists(candidate))
                return candidate;
        }

        throw new FileNotFoundException($"Autopilot.Actors.Sql.CrashWriter.dll ({configuration}) was not found above {AppContext.BaseDirectory}; build tests/Autopilot.Actors.Sql.CrashWriter first.");
    }
}
