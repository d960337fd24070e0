using System.Diagnostics;

namespace Autopilot.Daemon.SelfWatch;

/// <summary>
/// The daemon process's resident memory and CPU use. CPU is a ratio of all cores (1.0 = every core busy) between two
/// consecutive <see cref="CpuSinceLastSample"/> calls, so each evaluation judges the interval since the previous one.
/// </summary>
public sealed class ProcessUsage(TimeProvider time)
{
    private long _lastAt = time.GetTimestamp();
    private TimeSpan _lastCpu = CurrentCpu();

    /// <summary>Resident memory (RSS) now, in bytes.</summary>
    public static long ResidentBytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    /// <summary>CPU used since the previous call, as a ratio of all cores' time (null on the first call's zero-length interval).</summary>
    public double? CpuSinceLastSample()
    {
        var now = time.GetTimestamp();
        var cpu = CurrentCpu();
        var wall = time.GetElapsedTime(_lastAt, now);
        var used = cpu - _lastCpu;
        _lastAt = now;
        _lastCpu = cpu;
        return wall <= TimeSpan.Zero ? null : used / (wall * Environment.ProcessorCount);
    }

    private static TimeSpan CurrentCpu() => Environment.CpuUsage.TotalTime;
}
