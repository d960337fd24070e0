using Autopilot.Platforms.Railway;

namespace Autopilot.Agents.Protocol;

/// <summary>A watched Railway deployment changed status (sent by the Railway worker as a <see cref="WorkerReport"/>).</summary>
/// <param name="Service">Logical service name (the key in <c>autopilot.agents.railway.services</c>).</param>
/// <param name="DeploymentId">The deployment.</param>
/// <param name="Previous">Status before; null for the first observation.</param>
/// <param name="Current">Status now (<see cref="DeploymentStatus.Unknown"/> for a value this build does not know).</param>
/// <param name="Commit">The commit it was built from, when known.</param>
/// <param name="Purpose">Why it is watched: <c>deploy</c>, <c>rollback</c>, <c>restart</c> or <c>observed</c>.</param>
/// <param name="At">When the change was seen.</param>
/// <param name="LogTail">For FAILED the last build log lines, for CRASHED the last runtime log lines (redacted by the client); read before reporting so orient can diagnose.</param>
public sealed record DeploymentStatusChanged(
    string Service, string DeploymentId, DeploymentStatus? Previous, DeploymentStatus Current, string? Commit, string Purpose, DateTimeOffset At,
    IReadOnlyList<string>? LogTail = null);

/// <summary>A watched deployment did not reach a stable status within the stabilisation timeout.</summary>
/// <param name="Service">Logical service name.</param>
/// <param name="DeploymentId">The deployment.</param>
/// <param name="Status">The status it was stuck in.</param>
/// <param name="WatchedFor">How long it was watched.</param>
/// <param name="Commit">Commit, when known.</param>
/// <param name="At">When the hang was declared.</param>
public sealed record DeploymentHung(string Service, string DeploymentId, DeploymentStatus Status, TimeSpan WatchedFor, string? Commit, DateTimeOffset At);

/// <summary>The checks (workflow runs / check suites) of a commit on a watched branch finished.</summary>
/// <param name="Repository">owner/name.</param>
/// <param name="Branch">The branch.</param>
/// <param name="Sha">The commit.</param>
/// <param name="Passed">True when every completed run concluded successfully.</param>
/// <param name="Message">First line of the commit message, when known.</param>
/// <param name="At">When it was observed.</param>
public sealed record CommitChecksCompleted(string Repository, string Branch, string Sha, bool Passed, string? Message, DateTimeOffset At);

/// <summary>A commit was pushed to a watched branch (checks not necessarily done).</summary>
/// <param name="Repository">owner/name.</param>
/// <param name="Branch">The branch.</param>
/// <param name="Sha">The head commit.</param>
/// <param name="At">When it was observed.</param>
public sealed record CommitPushed(string Repository, string Branch, string Sha, DateTimeOffset At);

/// <summary>A health probe failed (sent by the health worker).</summary>
/// <param name="Target">What was probed (service or dependency name).</param>
/// <param name="Reason">Why it counts as failed (redacted).</param>
/// <param name="ConsecutiveFailures">How many probes in a row failed.</param>
/// <param name="At">When.</param>
/// <param name="Service">The logical service it belongs to, if any.</param>
public sealed record HealthCheckFailed(string Target, string Reason, int ConsecutiveFailures, DateTimeOffset At, string? Service = null);

/// <summary>A previously failing health probe passes again.</summary>
/// <param name="Target">What was probed.</param>
/// <param name="At">When.</param>
/// <param name="Service">The logical service it belongs to, if any.</param>
public sealed record HealthCheckRecovered(string Target, DateTimeOffset At, string? Service = null);

/// <summary>Asks the health worker for the current health of some targets (e.g. a crashed service's dependencies).</summary>
/// <param name="ActionId">
/// Action id for the <see cref="WorkerResult"/>: Success is true only if every target is healthy; when some are not,
/// Success is false and Detail lists the failing ones; when the check itself could not run, only Error is set.
/// </param>
/// <param name="Targets">Target names.</param>
public sealed record CheckHealth(string ActionId, IReadOnlyList<string> Targets) : IWorkerCommand;

/// <summary>
/// Asks the health worker to redeploy the Railway service behind a failing target and verify it after the redeploy
/// wait: the orchestrator's decision (policy action <c>redeploy</c>), so pause, dry-run and the action budget apply.
/// Answered with a <see cref="WorkerResult"/> once Railway accepted (or refused) the redeploy.
/// </summary>
/// <param name="ActionId">The orchestrator's action id.</param>
/// <param name="Target">The health target whose service is redeployed.</param>
public sealed record RedeployTarget(string ActionId, string Target) : IWorkerCommand;
