namespace Autopilot.Cli;

/// <summary>
/// Exit codes of <c>autopilot</c>, stable so scripts can branch on them (documented in docs/operations.md, "The CLI").
/// </summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>The daemon answered but the command failed or was refused (e.g. rollback refused, daemon unhealthy).</summary>
    /// <remarks>Also: <c>cluster leave</c>/<c>down</c> of an address that is no member (404 <c>member_not_found</c>).</remarks>
    public const int Failed = 1;

    /// <summary>Wrong usage: unknown command, missing argument, bad option value.</summary>
    /// <remarks>Also: the daemon answered 400 to a command (e.g. <c>address_required</c>).</remarks>
    public const int Usage = 2;

    /// <summary>The daemon could not be reached (not running, wrong --host, network).</summary>
    public const int Unreachable = 3;

    /// <summary>The daemon refused the token (missing, unknown: 401) or its role (403).</summary>
    public const int Unauthorized = 4;

    /// <summary>
    /// <c>cluster leave</c> or <c>cluster down</c> against a daemon that runs as a single node (409 <c>not_clustered</c>):
    /// there is no cluster to leave; a script that stops nodes one by one can stop this one directly.
    /// </summary>
    public const int NotClustered = 5;
}
