using System.Text.Json.Nodes;
using Autopilot.Agents.Serialization;
using Autopilot.Agents.Protocol;

namespace Autopilot.Agents.Orchestrator;

/// <summary>
/// The orchestrator's world model at one point of its stream, so a restart or fail-over replays only the events after
/// it instead of the whole history. Holds exactly what replaying the events up to that point builds (see
/// <see cref="WorldModel"/>); a new field needs a new schema version and an upcaster.
/// </summary>
/// <param name="Paused">Autonomous actions paused.</param>
/// <param name="DryRun">Dry-run on.</param>
/// <param name="Services">What is known per service.</param>
/// <param name="SeenDeploymentStatuses">Deployment statuses already observed (deployment:status, and deployment:status:purpose).</param>
/// <param name="RestartedDeployments">Deployments the autopilot restarted.</param>
/// <param name="OpenIncidents">Incidents not resolved.</param>
/// <param name="Commits">Recent commits, newest first.</param>
/// <param name="Workflows">Health of n8n workflows.</param>
/// <param name="Pending">Actions requested and not answered yet, oldest first.</param>
/// <param name="Deliveries">Recently handled webhook deliveries (source:id), oldest first.</param>
/// <param name="JudgedCommits">Recently judged commit checks (sha:passed|failed), oldest first.</param>
/// <param name="N8nFailures">Recently recorded failed n8n executions (ids), oldest first (v2).</param>
/// <param name="Approvals">Approvals waiting for a human, oldest first (v3).</param>
/// <param name="ApprovalMessages">Their Telegram messages, <c>id\tchat:message</c> (v3).</param>
/// <param name="ClosedApprovals">Recently decided or expired approvals, <c>id\toutcome</c>, oldest first (v3).</param>
[EventManifest("autopilot.orchestrator_snapshot", Version = 3)]
public sealed record OrchestratorSnapshot(
    bool Paused,
    bool DryRun,
    IReadOnlyList<ServiceSnapshot> Services,
    IReadOnlyList<string> SeenDeploymentStatuses,
    IReadOnlyList<string> RestartedDeployments,
    IReadOnlyList<IncidentView> OpenIncidents,
    IReadOnlyList<CommitView> Commits,
    IReadOnlyList<WorkflowView> Workflows,
    IReadOnlyList<ActionRequested> Pending,
    IReadOnlyList<string> Deliveries,
    IReadOnlyList<string> JudgedCommits,
    IReadOnlyList<string>? N8nFailures = null,
    IReadOnlyList<ApprovalRequested>? Approvals = null,
    IReadOnlyList<string>? ApprovalMessages = null,
    IReadOnlyList<string>? ClosedApprovals = null);

/// <summary>What the orchestrator knows about one service, in an <see cref="OrchestratorSnapshot"/>.</summary>
/// <param name="Service">The service's name.</param>
/// <param name="CurrentDeploymentId">The deployment last observed.</param>
/// <param name="CurrentStatus">Its status.</param>
/// <param name="LastGoodDeploymentId">The last deployment observed healthy (SUCCESS).</param>
/// <param name="ActionTimes">When each production-changing action on it was requested (for the budget).</param>
/// <param name="BudgetAlertedAt">When its exhausted budget was last alerted.</param>
/// <param name="CurrentCommit">The commit of the deployment last observed, when known (v2).</param>
public sealed record ServiceSnapshot(
    string Service, string? CurrentDeploymentId, string? CurrentStatus, string? LastGoodDeploymentId, IReadOnlyList<DateTimeOffset> ActionTimes, DateTimeOffset? BudgetAlertedAt,
    string? CurrentCommit = null);

/// <summary>
/// v1 → v2 of <see cref="OrchestratorSnapshot"/>: v2 adds the recorded n8n failures and each service's current commit.
/// A v1 snapshot knew neither: no failures, commits unknown (the next observation of each service fills them in).
/// </summary>
public sealed class OrchestratorSnapshotV1 : IEventUpcaster
{
    /// <inheritdoc />
    public string Manifest => "autopilot.orchestrator_snapshot";

    /// <inheritdoc />
    public int FromVersion => 1;

    /// <inheritdoc />
    public JsonNode Upcast(JsonNode json)
    {
        var snapshot = json.AsObject();
        snapshot["n8nFailures"] = new JsonArray();
        foreach (var service in snapshot["services"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            service["currentCommit"] = null;
        }

        return snapshot;
    }
}

/// <summary>
/// v2 → v3 of <see cref="OrchestratorSnapshot"/>: v3 adds the approvals. A v2 snapshot was taken before approvals
/// existed: none pending, none closed.
/// </summary>
public sealed class OrchestratorSnapshotV2 : IEventUpcaster
{
    /// <inheritdoc />
    public string Manifest => "autopilot.orchestrator_snapshot";

    /// <inheritdoc />
    public int FromVersion => 2;

    /// <inheritdoc />
    public JsonNode Upcast(JsonNode json)
    {
        var snapshot = json.AsObject();
        snapshot["approvals"] = new JsonArray();
        snapshot["approvalMessages"] = new JsonArray();
        snapshot["closedApprovals"] = new JsonArray();
        return snapshot;
    }
}
