using System.Runtime.InteropServices;

namespace Autopilot.Daemon.ClusterHarness.Processes;

/// <summary>The signals the fail-over scenarios send to a daemon process (Linux numbering).</summary>
public enum PosixSignal
{
    /// <summary>SIGKILL: the process dies at once, nothing is flushed or released (a crash, an OOM kill).</summary>
    Kill = 9,

    /// <summary>SIGTERM: a graceful stop (the node leaves the cluster and hands its lease over).</summary>
    Terminate = 15,

    /// <summary>SIGCONT: a stopped process runs again, unaware that time passed (the end of a long GC pause or VM freeze).</summary>
    Continue = 18,

    /// <summary>SIGSTOP: the process is frozen, sockets stay open, nothing runs (a GC pause or VM freeze that never ends).</summary>
    Stop = 19,
}

/// <summary>Sends <see cref="PosixSignal"/>s with libc's <c>kill</c>: .NET itself can only SIGKILL or SIGTERM.</summary>
public static class PosixSignals
{
    /// <summary>Sends <paramref name="signal"/> to process <paramref name="processId"/>.</summary>
    /// <exception cref="InvalidOperationException">The signal could not be sent (e.g. the process is gone); names errno.</exception>
    public static void Send(int processId, PosixSignal signal)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The cluster harness sends Linux signal numbers; run it on Linux.");
        }

        if (Kill(processId, (int)signal) != 0)
        {
            throw new InvalidOperationException($"kill({processId}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
