using Autopilot.Platforms.Railway;

namespace Autopilot.Simulator.Railway;

/// <summary>How a simulated deployment ends.</summary>
public enum DeploymentOutcome
{
    /// <summary>QUEUED → INITIALIZING → BUILDING → DEPLOYING → SUCCESS.</summary>
    Succeed,

    /// <summary>The build fails: … → BUILDING → FAILED, with the script's build log lines.</summary>
    FailBuild,

    /// <summary>Reaches SUCCESS, then the process dies: CRASHED, with the script's runtime log lines.</summary>
    Crash,

    /// <summary>Stops progressing in <see cref="DeploymentScript.HangIn"/> and never leaves it.</summary>
    Hang,

    /// <summary>Walks exactly <see cref="DeploymentScript.Path"/> after QUEUED, one status per step, and stays in the last one.</summary>
    Walk,
}

/// <summary>What a simulated deployment will do as the fake's clock advances.</summary>
/// <param name="Outcome">Where it ends up.</param>
/// <param name="BuildLog">Extra build log lines (e.g. the compiler error of a failed build).</param>
/// <param name="RuntimeLog">Extra runtime log lines (e.g. the OOM that crashed it).</param>
/// <param name="HangIn">For <see cref="DeploymentOutcome.Hang"/>: the status it gets stuck in.</param>
public sealed record DeploymentScript(
    DeploymentOutcome Outcome,
    IReadOnlyList<string> BuildLog,
    IReadOnlyList<string> RuntimeLog,
    DeploymentStatus HangIn = DeploymentStatus.Building)
{
    /// <summary>For <see cref="DeploymentOutcome.Walk"/>: the statuses entered after QUEUED, one per step.</summary>
    public IReadOnlyList<DeploymentStatus> Path { get; init; } = [];

    /// <summary>A deployment that comes up healthy.</summary>
    public static DeploymentScript Succeed { get; } = new(DeploymentOutcome.Succeed, [], []);

    /// <summary>A build that fails with <paramref name="buildLog"/> as its last lines.</summary>
    public static DeploymentScript FailBuild(params string[] buildLog) => new(DeploymentOutcome.FailBuild, buildLog, []);

    /// <summary>A deployment that starts, then crashes with <paramref name="runtimeLog"/> as its last lines.</summary>
    public static DeploymentScript Crash(params string[] runtimeLog) => new(DeploymentOutcome.Crash, [], runtimeLog);

    /// <summary>A deployment that gets stuck in <paramref name="status"/> (an in-progress status).</summary>
    public static DeploymentScript Hang(DeploymentStatus status = DeploymentStatus.Building) =>
        status.IsInProgress()
            ? new(DeploymentOutcome.Hang, [], [], status)
            : throw new ArgumentException($"A deployment can only hang in an in-progress status, not {status}.", nameof(status));

    /// <summary>
    /// A deployment that walks <paramref name="statuses"/> after QUEUED, one per step of the fake's clock, and stays
    /// in the last — the way to make the fake play the statuses its default scripts never produce:
    /// <c>Walk(Waiting, Initializing, Building, Deploying, Success)</c> (waiting for another deployment to finish),
    /// <c>Walk(NeedsApproval)</c> (held for approval; stays there), <c>Walk(Skipped)</c> (superseded before it
    /// started), <c>Walk(Initializing, Building, Deploying, Success, Sleeping)</c> (app sleeping after going idle),
    /// <c>Walk(Initializing, Building, Deploying, Success, Removing, Removed)</c> (being torn down). Reaching
    /// SUCCESS has its usual effect: the instance's previous deployment becomes REMOVED.
    /// </summary>
    public static DeploymentScript Walk(params DeploymentStatus[] statuses) =>
        statuses.Length == 0 || statuses.Contains(DeploymentStatus.Unknown)
            ? throw new ArgumentException("A walk needs at least one known status.", nameof(statuses))
            : new(DeploymentOutcome.Walk, [], []) { Path = statuses.ToArray() };
}
