using Autopilot.Agents.Protocol;
using Autopilot.Platforms.GitHub;

namespace Autopilot.Agents.Readiness;

/// <summary>
/// The orchestrator's <c>assess-readiness</c> action: judge <paramref name="Commit"/> for <paramref name="Service"/>.
/// Answered with exactly one <see cref="ReadinessReport"/> (in place of a <see cref="WorkerResult"/>), also when GitHub
/// could not be read (those checks then fail).
/// </summary>
/// <param name="ActionId">The recorded request.</param>
/// <param name="Service">Logical service name.</param>
/// <param name="Repository">The service's repository; null when it has none (every check then fails).</param>
/// <param name="Commit">The commit.</param>
/// <param name="LastGoodDeploymentId">The service's last good deployment in the orchestrator's world model, if any (the rollback plan).</param>
public sealed record AssessCommit(string ActionId, string Service, GitHubRepository? Repository, string Commit, string? LastGoodDeploymentId) : IWorkerCommand;

/// <summary>The answer to <see cref="AssessCommit"/>: every check, in <see cref="ReadinessCheckNames.All"/> order.</summary>
/// <param name="ActionId">The command's action id.</param>
/// <param name="Checks">The checks.</param>
public sealed record ReadinessReport(string ActionId, IReadOnlyList<ReadinessCheck> Checks);
