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
}
