using System.Text.RegularExpressions;

namespace Autopilot.Agents.Orchestrator;

/// <summary>What a crashed deployment's runtime log says about the cause.</summary>
public enum CrashCause
{
    /// <summary>Nothing recognisable: possibly transient.</summary>
    Unrecognised,

    /// <summary>The process ran out of memory.</summary>
    OutOfMemory,

    /// <summary>A dependency refused connections.</summary>
    ConnectionRefused,
}

/// <summary>Reads a crash's log tail (orient step): which cause, and the line that shows it.</summary>
public static partial class CrashDiagnosis
{
    /// <summary>The cause and the evidence line (the last log line when nothing matched).</summary>
    public static (CrashCause Cause, string Evidence) Diagnose(IReadOnlyList<string> logTail)
    {
        ArgumentNullException.ThrowIfNull(logTail);
        foreach (var line in logTail.Reverse())
        {
            if (OutOfMemory().IsMatch(line))
            {
                return (CrashCause.OutOfMemory, line);
            }

            if (ConnectionRefused().IsMatch(line))
            {
                return (CrashCause.ConnectionRefused, line);
            }
        }

        return (CrashCause.Unrecognised, logTail.Count > 0 ? logTail[^1] : "(no log lines)");
    }

    /// <summary>The most telling line of a failed build: the last line that looks like an error, else the last line.</summary>
    public static string BuildError(IReadOnlyList<string> logTail) =>
        ClearBuildError(logTail) ?? (logTail.Count > 0 ? logTail[^1] : "(no log lines)");

    /// <summary>
    /// The last line of a failed build's log that names an error (error, failed, exception, fatal; not Railway's bare
    /// "Build failed"), or null when none does: the difference between a classified and an unknown build failure.
    /// </summary>
    public static string? ClearBuildError(IReadOnlyList<string> logTail)
    {
        ArgumentNullException.ThrowIfNull(logTail);
        return logTail.LastOrDefault(l => ErrorLine().IsMatch(l) && !l.Equals("Build failed", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"out of memory|OutOfMemory|\bOOM\b|heap limit|memory limit exceeded|Killed process|exit code 137", RegexOptions.IgnoreCase)]
    private static partial Regex OutOfMemory();

    [GeneratedRegex(@"ECONNREFUSED|connection refused|could not connect to server|Connection reset by peer", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionRefused();

    [GeneratedRegex(@"error|failed|exception|fatal", RegexOptions.IgnoreCase)]
    private static partial Regex ErrorLine();
}
