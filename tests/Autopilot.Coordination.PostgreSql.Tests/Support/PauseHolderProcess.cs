using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace Autopilot.Coordination.PostgreSql.Tests.Support;

/// <summary>
/// The PauseHolder child process (a lease holder in its own process) driven over stdin/stdout, paused with SIGSTOP
/// and woken with SIGCONT. The connection string travels in the environment, not on the command line.
/// </summary>
public sealed class PauseHolderProcess : IAsyncDisposable
{
    private const int SigCont = 18;
    private const int SigStop = 19;
    private readonly Process _process;
    private readonly Channel<string> _replies = Channel.CreateUnbounded<string>();
    private readonly TaskCompletionSource<string> _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _errors = [];

    private PauseHolderProcess(string connectionString, string leaseName, string owner, LeaseTimings timings)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Locate(), leaseName, owner, timings.HeartbeatTimeout, timings.HeartbeatInterval })
            info.ArgumentList.Add(argument);
        info.Environment["AUTOPILOT_LEASE_CONNECTION"] = connectionString;
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                _replies.Writer.TryComplete();
            else if (!e.Data.StartsWith('@'))
                lock (_errors)
                    _errors.Add(e.Data); // Akka's own log lines
            else if (e.Data.StartsWith("@ready ", StringComparison.Ordinal))
                _ready.TrySetResult(e.Data["@ready ".Length..]);
            else if (e.Data.StartsWith("@lost ", StringComparison.Ordinal))
                _lost.TrySetResult(e.Data["@lost ".Length..]);
            else
                _replies.Writer.TryWrite(e.Data[1..]);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                lock (_errors)
                    _errors.Add(e.Data);
        };
    }

    /// <summary>Completes with the exception type name when the child's lost-lease callback fires.</summary>
    public Task<string> Lost => _lost.Task;

    /// <summary>The child lease's owner string (host:port#incarnation).</summary>
    public string Owner { get; private set; } = "";

    public static async Task<PauseHolderProcess> StartAsync(string connectionString, string leaseName, string owner, LeaseTimings timings)
    {
        var holder = new PauseHolderProcess(connectionString, leaseName, owner, timings);
        holder._process.Start();
        holder._process.BeginOutputReadLine();
        holder._process.BeginErrorReadLine();
        var exited = holder._process.WaitForExitAsync();
        await Task.WhenAny(holder._ready.Task, exited, Task.Delay(Eventually.Patience));
        if (!holder._ready.Task.IsCompleted)
            throw new InvalidOperationException($"PauseHolder did not start: {holder.Errors()}");
        holder.Owner = await holder._ready.Task;
        return holder;
    }

    /// <summary>"acquire": the token when the child got the lease, null when it did not.</summary>
    public async Task<long?> AcquireAsync() => ParseTokenReply("acquire", await CommandAsync("acquire"));

    /// <summary>"check": the token when the child's CheckLease is true, null when false.</summary>
    public async Task<long?> CheckAsync() => ParseTokenReply("check", await CommandAsync("check"));

    /// <summary>Freezes the whole process (SIGSTOP): no thread runs until <see cref="Resume"/>.</summary>
    public void Pause() => Signal(SigStop);

    /// <summary>Wakes the process (SIGCONT).</summary>
    public void Resume() => Signal(SigCont);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signal(SigCont);
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task<string> CommandAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
        var read = _replies.Reader.ReadAsync().AsTask();
        if (await Task.WhenAny(read, Task.Delay(Eventually.Patience)) != read)
            Assert.Fail($"PauseHolder did not answer '{command}': {Errors()}");
        return await read;
    }

    private long? ParseTokenReply(string command, string reply)
    {
        var parts = reply.Split(' ');
        if (parts.Length != 3 || parts[0] != command || parts[1] is not ("true" or "false"))
            Assert.Fail($"PauseHolder answered '{command}' with '{reply}'. {Errors()}");
        return parts[1] == "true" ? long.Parse(parts[2]) : null;
    }

    private void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}.");
    }

    private string Errors()
    {
        lock (_errors)
            return string.Join('\n', _errors);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>The PauseHolder build output of the same configuration as this test assembly.</summary>
    private static string Locate()
    {
        var configuration = typeof(PauseHolderProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        const string name = "Autopilot.Coordination.PostgreSql.PauseHolder";
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", name, "bin", configuration, "net10.0", $"{name}.dll");
            if (File.Exists(candidate))
                return candidate;
        }

        throw new FileNotFoundException($"{name}.dll ({configuration}) was not found above {AppContext.BaseDirectory}; build tests/{name} first.");
    }
}
