namespace Autopilot.Cli;

/// <summary>
/// Exit codes of <c>autopilot</c>, stable so scripts can branch on them (documented in docs/operations.md).
/// </summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>The daemon answered but the command failed or was refused (e.g. rollback refused, daemon unhealthy).</summary>
    public const int Failed = 1;

    /// <summary>Wrong usage: unknown command, missing argument, bad option value.</summary>
    public const int Usage = 2;

    /// <summary>The daemon could not be reached (not running, wrong --host, network).</summary>
    public const int Unreachable = 3;

    /// <summary>The daemon refused the token (missing, unknown: 401) or its role (403).</summary>
    public const int Unauthorized = 4;
}
