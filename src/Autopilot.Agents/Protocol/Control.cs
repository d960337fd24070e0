using Autopilot.Agents.Serialization;

namespace Autopilot.Agents.Protocol;

// The control protocol crosses the network in a cluster (an HTTP edge on any node asks the orchestrator singleton
// through its proxy): every message and answer carries a manifest, so the agents' System.Text.Json serializer carries it.

/// <summary>The answer to every orchestrator control message except <see cref="GetOrchestratorStatus"/>.</summary>
/// <param name="Accepted">Whether the orchestrator acted on it.</param>
/// <param name="Message">What it did or why it refused.</param>
[EventManifest("autopilot.control.control_ack")]
public sealed record ControlAck(bool Accepted, string Message);

/// <summary>Stops all autonomous actions (observation and recording continue) until <see cref="ResumeAutopilot"/>.</summary>
/// <param name="By">Who asked, for the audit log.</param>
[EventManifest("autopilot.control.pause_autopilot")]
public sealed record PauseAutopilot(string By = "operator");

/// <summary>Resumes autonomous actions after <see cref="PauseAutopilot"/>.</summary>
/// <param name="By">Who asked, for the audit log.</param>
[EventManifest("autopilot.control.resume_autopilot")]
public sealed record ResumeAutopilot(string By = "operator");

/// <summary>With dry-run on, the orchestrator still observes, decides and records, but acts on nothing.</summary>
/// <param name="Enabled">On or off.</param>
[EventManifest("autopilot.control.set_dry_run")]
public sealed record SetDryRun(bool Enabled);

/// <summary>A human asks for a rollback of a service to its last good deployment (counts against the budget like any action).</summary>
/// <param name="Service">Logical service name.</param>
/// <param name="RequestedBy">Who asked.</param>
[EventManifest("autopilot.control.request_rollback")]
public sealed record RequestRollback(string Service, string RequestedBy);

/// <summary>Runs a named drill: feeds a synthetic observation through the loop in dry-run fashion, acting on nothing.</summary>
/// <param name="Scenario">A situation name from the policy table, e.g. <c>deployment-failed</c>.</param>
[EventManifest("autopilot.control.run_drill")]
public sealed record RunDrill(string Scenario);

/// <summary>A human takes ownership of an open incident.</summary>
/// <param name="IncidentId">The incident.</param>
/// <param name="By">Who.</param>
[EventManifest("autopilot.control.acknowledge_incident")]
public sealed record AcknowledgeIncident(string IncidentId, string By);

/// <summary>
/// Runs the production-readiness gate on <paramref name="Commit"/> for <paramref name="Service"/> now, without deploying
/// anything (what <c>autopilot gate &lt;commit&gt;</c> sends). The orchestrator records the gate's reads as an
/// <c>assess-readiness</c> action and the outcome as a <see cref="ReadinessAssessed"/>, and answers with that event;
/// it answers <see cref="ControlAck"/> (not accepted) when the service is unknown or has no repository, or the commit
/// is empty. No alert, comment or deploy follows an on-demand assessment, whatever its decision; it runs while paused
/// and in dry-run too (it only reads).
/// </summary>
/// <param name="Service">Logical service name (its repository is the one the gate reads).</param>
/// <param name="Commit">The commit SHA (or any ref GitHub resolves).</param>
[EventManifest("autopilot.control.assess_readiness")]
public sealed record AssessReadiness(string Service, string Commit);

/// <summary>Asks for an <see cref="OrchestratorStatus"/>.</summary>
[EventManifest("autopilot.control.get_orchestrator_status")]
public sealed record GetOrchestratorStatus;

/// <summary>A snapshot of the orchestrator's world model.</summary>
/// <param name="Paused">Autonomous actions paused.</param>
/// <param name="DryRun">Dry-run mode.</param>
/// <param name="Services">Watched services.</param>
/// <param name="Incidents">Open incidents.</param>
/// <param name="Workflows">n8n workflow health as last reported.</param>
/// <param name="RecentCommits">Recently observed commits on watched branches, newest first.</param>
/// <param name="PendingActions">Actions requested and not yet answered.</param>
/// <param name="LastCycleAt">When the last OODA cycle ran.</param>
[EventManifest("autopilot.control.orchestrator_status")]
public sealed record OrchestratorStatus(
    bool Paused,
    bool DryRun,
    IReadOnlyList<ServiceView> Services,
    IReadOnlyList<IncidentView> Incidents,
    IReadOnlyList<WorkflowView> Workflows,
    IReadOnlyList<CommitView> RecentCommits,
    int PendingActions,
    DateTimeOffset? LastCycleAt);

/// <summary>One watched service.</summary>
/// <param name="Service">Logical name.</param>
/// <param name="CurrentDeploymentId">Deployment last seen.</param>
/// <param name="CurrentStatus">Its status (Railway's name, e.g. SUCCESS).</param>
/// <param name="LastGoodDeploymentId">Most recent deployment seen in SUCCESS.</param>
/// <param name="ActionsInLastHour">Autonomous actions counted against the budget in the last hour.</param>
/// <param name="BudgetExhausted">True when no more autonomous actions will be taken on it this hour.</param>
public sealed record ServiceView(
    string Service, string? CurrentDeploymentId, string? CurrentStatus, string? LastGoodDeploymentId, int ActionsInLastHour, bool BudgetExhausted);

/// <summary>One open incident.</summary>
/// <param name="IncidentId">Identity.</param>
/// <param name="Service">Service concerned.</param>
/// <param name="Fingerprint">Incident kind.</param>
/// <param name="Title">Summary.</param>
/// <param name="OpenedAt">When.</param>
/// <param name="Occurrences">How many times it was observed.</param>
/// <param name="AcknowledgedBy">Who took it, if anyone.</param>
public sealed record IncidentView(
    string IncidentId, string Service, string Fingerprint, string Title, DateTimeOffset OpenedAt, int Occurrences, string? AcknowledgedBy);

/// <summary>Health of one n8n workflow.</summary>
/// <param name="WorkflowId">Id.</param>
/// <param name="Healthy">False after a detected failure until a recovery succeeds.</param>
/// <param name="LastError">Last error seen.</param>
/// <param name="At">When it was last updated.</param>
public sealed record WorkflowView(string WorkflowId, bool Healthy, string? LastError, DateTimeOffset At);

/// <summary>A commit on a watched branch.</summary>
/// <param name="Sha">Commit.</param>
/// <param name="Branch">Branch.</param>
/// <param name="ChecksPassed">Null while checks are pending.</param>
/// <param name="At">When observed.</param>
public sealed record CommitView(string Sha, string Branch, bool? ChecksPassed, DateTimeOffset At);
