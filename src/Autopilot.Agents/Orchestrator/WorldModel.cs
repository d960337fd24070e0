using Autopilot.Agents.Dedupe;
using Autopilot.Agents.Policy;
using Autopilot.Agents.Protocol;

namespace Autopilot.Agents.Orchestrator;

/// <summary>
/// What the orchestrator believes about production, rebuilt from its audit events alone (so replaying the journal after
/// a restart restores it exactly): services and their deployments, open incidents, recent commits, workflow health,
/// actions in flight, the budget spent and the autopilot's mode.
/// </summary>
internal sealed class WorldModel
{
    private const int RecentCommitLimit = 20;
    // As many as the webhook intake remembers: it hands a redelivery over again and relies on this to ignore it.
    private const int RememberedDeliveries = 10_000;
    private readonly Dictionary<string, ServiceState> _services = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seenDeploymentStatuses = new(StringComparer.Ordinal);
    private readonly HashSet<string> _restartedDeployments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IncidentView> _openIncidents = new(StringComparer.Ordinal);
    private readonly List<CommitView> _commits = [];
    private readonly Dictionary<string, WorkflowView> _workflows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ActionRequested> _pending = new(StringComparer.Ordinal);
    private readonly RecentKeys _deliveries = new(RememberedDeliveries);
    private readonly RecentKeys _judgedCommits = new(RememberedDeliveries);
    // Failed n8n executions on record: a failed retry of one of them is the same failure, not a new one.
    private readonly RecentKeys _n8nFailures = new(RememberedDeliveries);
    private const int RememberedClosedApprovals = 1_000;
    private readonly Dictionary<string, ApprovalRequested> _approvals = new(StringComparer.Ordinal);
    // approval id → "chat:message" of its Telegram message, once the alerts worker sent it (to edit it later).
    private readonly Dictionary<string, string> _approvalMessages = new(StringComparer.Ordinal);
    // Decided or expired approvals (id → what happened), so a late press is answered with what became of it.
    private readonly Dictionary<string, string> _closedApprovals = new(StringComparer.Ordinal);
    private readonly Queue<string> _closedOrder = new();

    public WorldModel(bool paused, bool dryRun)
    {
        Paused = paused;
        DryRun = dryRun;
    }

    public bool Paused { get; private set; }

    public bool DryRun { get; private set; }

    public DateTimeOffset? LastCycleAt { get; set; }

    public IReadOnlyDictionary<string, ActionRequested> Pending => _pending;

    /// <summary>Approvals waiting for a human, by id.</summary>
    public IReadOnlyDictionary<string, ApprovalRequested> Approvals => _approvals;

    /// <summary>What became of a decided or expired approval (e.g. "approved by alice (cli)"), or null.</summary>
    public string? ClosedApproval(string approvalId) => _closedApprovals.GetValueOrDefault(approvalId);

    /// <summary>The Telegram message (<c>chat:message</c>) of a pending approval, once sent.</summary>
    public string? ApprovalMessage(string approvalId) => _approvalMessages.GetValueOrDefault(approvalId);

    /// <summary>A pending approval of <paramref name="action"/> on <paramref name="service"/> for <paramref name="situation"/>, if one waits.</summary>
    public ApprovalRequested? PendingApprovalFor(string service, string action, string situation) =>
        _approvals.Values.FirstOrDefault(a => a.Service == service && a.Action == action
                                              && a.Evidence.GetValueOrDefault(ApprovalEvidence.Situation) == situation);

    public bool HasSeen(string deploymentId, string status) => _seenDeploymentStatuses.Contains($"{deploymentId}:{status}");

    /// <summary>Whether the status was observed while watching the deployment for <paramref name="purpose"/>.</summary>
    public bool HasSeen(string deploymentId, string status, string purpose) => _seenDeploymentStatuses.Contains($"{deploymentId}:{status}:{purpose}");

    public bool WasRestarted(string deploymentId) => _restartedDeployments.Contains(deploymentId);

    public bool HasDelivery(string source, string deliveryId) => _deliveries.Contains($"{source}:{deliveryId}");

    /// <summary>Whether this commit's checks were already observed with this outcome (a re-poll after a restart or fail-over is not news).</summary>
    public bool HasJudged(string sha, bool passed) => _judgedCommits.Contains($"{sha}:{(passed ? "passed" : "failed")}");

    public IncidentView? OpenIncident(string fingerprint) => _openIncidents.GetValueOrDefault(fingerprint);

    public IncidentView? OpenIncidentById(string incidentId) => _openIncidents.Values.FirstOrDefault(i => i.IncidentId == incidentId);

    public IEnumerable<IncidentView> OpenIncidentsOf(string service) => _openIncidents.Values.Where(i => i.Service == service).ToArray();

    public int ActionsInWindow(string service, DateTimeOffset since) =>
        _services.TryGetValue(service, out var state) ? state.ActionTimes.Count(t => t > since) : 0;

    public bool BudgetAlertedSince(string service, DateTimeOffset since) =>
        _services.TryGetValue(service, out var state) && state.BudgetAlertedAt > since;

    public string? CurrentDeployment(string service) => _services.GetValueOrDefault(service)?.CurrentDeploymentId;

    /// <summary>The service's most recent deployment seen in SUCCESS (what a rollback goes back to), if any.</summary>
    public string? LastGoodDeployment(string service) => _services.GetValueOrDefault(service)?.LastGoodDeploymentId;

    /// <summary>Whether this failed n8n execution is on record (reported before, or the execution a retry retried).</summary>
    public bool HasN8nFailure(string executionId) => executionId.Length > 0 && _n8nFailures.Contains(executionId);

    /// <summary>Whether the workflow was last seen recovered (a recovery attempt succeeded after its last new failure).</summary>
    public bool WorkflowRecovered(string workflowId) => _workflows.GetValueOrDefault(workflowId)?.Healthy == true;

    /// <summary>
    /// What Railway is known to run or be rolling out for <paramref name="service"/> from <paramref name="commit"/>: the
    /// deployment last observed when it is that commit's and SUCCESS or still in progress, or a deploy of that commit
    /// requested and not answered yet. Null when nothing says so.
    /// </summary>
    public (string What, string Status)? DeploymentOf(string service, string commit)
    {
        if (_services.GetValueOrDefault(service) is { CurrentDeploymentId: { } deploymentId, CurrentCommit: { } current, CurrentStatus: { } status }
            && string.Equals(current, commit, StringComparison.OrdinalIgnoreCase)
            && status is "SUCCESS" or "QUEUED" or "WAITING" or "INITIALIZING" or "BUILDING" or "DEPLOYING" or "NEEDS_APPROVAL")
        {
            return ($"deployment {deploymentId}", status);
        }

        return _pending.Values.FirstOrDefault(p => p is { Action: PolicyActions.Deploy } && p.Service == service
                                                 && string.Equals(p.Commit, commit, StringComparison.OrdinalIgnoreCase)) is { } deploying
            ? ($"deploy {deploying.ActionId}", "requested")
            : null;
    }

    public void Apply(IAuditEvent @event)
    {
        switch (@event)
        {
            case Observed { Kind: ObservationKinds.DeploymentStatus, DeploymentId: { } deploymentId, Status: { } status } observed:
                _seenDeploymentStatuses.Add($"{deploymentId}:{status}");
                if (observed.Purpose is { } purpose)
                {
                    _seenDeploymentStatuses.Add($"{deploymentId}:{status}:{purpose}");
                }

                if (observed.Service is { } service)
                {
                    var state = Service(service);
                    if (state.CurrentDeploymentId != deploymentId || observed.Commit is not null)
                    {
                        state.CurrentCommit = observed.Commit;
                    }

                    state.CurrentDeploymentId = deploymentId;
                    state.CurrentStatus = status;
                    if (status == "SUCCESS")
                    {
                        state.LastGoodDeploymentId = deploymentId;
                    }
                }

                break;
            case Observed { Kind: ObservationKinds.CommitPushed or ObservationKinds.ChecksCompleted, Commit: { } sha } commit:
                _commits.RemoveAll(c => c.Sha == sha);
                bool? passed = commit.Status switch { "passed" => true, "failed" => false, _ => null };
                if (passed is { } judged)
                {
                    _judgedCommits.Add($"{sha}:{(judged ? "passed" : "failed")}");
                }

                _commits.Insert(0, new CommitView(sha, commit.Summary, passed, commit.At));
                if (_commits.Count > RecentCommitLimit)
                {
                    _commits.RemoveAt(_commits.Count - 1);
                }

                break;
            case ExternalEventReceived received:
                _deliveries.Add($"{received.Source}:{received.DeliveryId}");

                break;
            case ActionRequested requested:
                _pending[requested.ActionId] = requested;
                // A migration's dry-run only reads: it is not a production change and costs no budget.
                if (PolicyActions.IsMutating(requested.Action) && requested.Parameters.GetValueOrDefault(ActionParameters.MigrationDryRun) != "true")
                {
                    Service(requested.Service).ActionTimes.Add(requested.At);
                }

                if (requested is { Action: PolicyActions.Restart, DeploymentId: { } restarted })
                {
                    // A restarted deployment gets a fresh story: its next crash is a new observation ("crashed again").
                    _restartedDeployments.Add(restarted);
                    _seenDeploymentStatuses.RemoveWhere(key => key.StartsWith(restarted + ":", StringComparison.Ordinal));
                }

                break;
            case ActionCompleted completed:
                if (_pending.Remove(completed.ActionId, out var done) && done.Action == PolicyActions.RequestApproval
                    && done.Parameters.GetValueOrDefault(ActionParameters.ApprovalId) is { } sentFor && _approvals.ContainsKey(sentFor)
                    && ActionParameters.MessageRefIn(completed.Detail) is { } message)
                {
                    _approvalMessages[sentFor] = message;
                }

                break;
            case ApprovalRequested approval:
                _approvals[approval.ApprovalId] = approval;
                break;
            case ApprovalDecided decided:
                CloseApproval(decided.ApprovalId, $"{(decided.Approved ? "approved" : "rejected")} by {decided.By} ({decided.Channel})");
                break;
            case ApprovalExpired expired:
                CloseApproval(expired.ApprovalId, "expired");
                break;
            case ActionFailed failed:
                _pending.Remove(failed.ActionId);
                break;
            case AutopilotModeChanged mode:
                switch (mode.Change)
                {
                    case ModeChanges.Paused: Paused = true; break;
                    case ModeChanges.Resumed: Paused = false; break;
                    case ModeChanges.DryRunOn: DryRun = true; break;
                    case ModeChanges.DryRunOff: DryRun = false; break;
                    case ModeChanges.BudgetExhausted when mode.Service is { } exhausted: Service(exhausted).BudgetAlertedAt = mode.At; break;
                }

                break;
            case IncidentOpened opened:
                _openIncidents[opened.Fingerprint] = new IncidentView(opened.IncidentId, opened.Service, opened.Fingerprint, opened.Title, opened.At, 1, null);
                break;
            case IncidentUpdated updated when _openIncidents.Values.FirstOrDefault(i => i.IncidentId == updated.IncidentId) is { } incident:
                switch (updated.Change)
                {
                    case IncidentChanges.Repeated: _openIncidents[incident.Fingerprint] = incident with { Occurrences = incident.Occurrences + 1 }; break;
                    case IncidentChanges.Acknowledged: _openIncidents[incident.Fingerprint] = incident with { AcknowledgedBy = updated.Detail }; break;
                    case IncidentChanges.Resolved: _openIncidents.Remove(incident.Fingerprint); break;
                }

                break;
            case N8nFailureDetected failure:
                // A failed retry of a failure on record is that failure again: it does not undo a recovery.
                if (!(failure.RetryOf is { } retried && HasN8nFailure(retried)))
                {
                    _workflows[failure.WorkflowId] = new WorkflowView(failure.WorkflowId, false, failure.Error, failure.At);
                }

                if (failure.ExecutionId.Length > 0)
                {
                    _n8nFailures.Add(failure.ExecutionId);
                }

                break;
            case N8nRecoveryAttempted { Success: true } recovery:
                _workflows[recovery.WorkflowId] = new WorkflowView(recovery.WorkflowId, true, null, recovery.At);
                break;
        }
    }

    private void CloseApproval(string approvalId, string outcome)
    {
        _approvals.Remove(approvalId);
        _approvalMessages.Remove(approvalId);
        if (_closedApprovals.TryAdd(approvalId, outcome))
        {
            _closedOrder.Enqueue(approvalId);
            while (_closedOrder.Count > RememberedClosedApprovals)
            {
                _closedApprovals.Remove(_closedOrder.Dequeue());
            }
        }
    }

    /// <summary>
    /// Everything <see cref="Apply"/> has built, for a snapshot (<see cref="LastCycleAt"/> is not: it is the running
    /// instance's). Unordered collections are sorted, so the same state always gives the same snapshot.
    /// </summary>
    public OrchestratorSnapshot ToSnapshot() => new(
        Paused,
        DryRun,
        _services.OrderBy(s => s.Key, StringComparer.Ordinal)
            .Select(s => new ServiceSnapshot(s.Key, s.Value.CurrentDeploymentId, s.Value.CurrentStatus, s.Value.LastGoodDeploymentId, s.Value.ActionTimes.ToArray(), s.Value.BudgetAlertedAt,
                s.Value.CurrentCommit))
            .ToArray(),
        _seenDeploymentStatuses.Order(StringComparer.Ordinal).ToArray(),
        _restartedDeployments.Order(StringComparer.Ordinal).ToArray(),
        _openIncidents.Values.OrderBy(i => i.Fingerprint, StringComparer.Ordinal).ToArray(),
        _commits.ToArray(),
        _workflows.Values.OrderBy(w => w.WorkflowId, StringComparer.Ordinal).ToArray(),
        _pending.Values.OrderBy(p => p.At).ThenBy(p => p.ActionId, StringComparer.Ordinal).ToArray(),
        _deliveries.OldestFirst.ToArray(),
        _judgedCommits.OldestFirst.ToArray(),
        _n8nFailures.OldestFirst.ToArray(),
        _approvals.Values.OrderBy(a => a.At).ThenBy(a => a.ApprovalId, StringComparer.Ordinal).ToArray(),
        _approvalMessages.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}\t{m.Value}").ToArray(),
        _closedOrder.Select(id => $"{id}\t{_closedApprovals[id]}").ToArray());

    /// <summary>The model <paramref name="snapshot"/> was taken of; recovery applies the events after it.</summary>
    public static WorldModel FromSnapshot(OrchestratorSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var model = new WorldModel(snapshot.Paused, snapshot.DryRun);
        foreach (var service in snapshot.Services)
        {
            var state = model.Service(service.Service);
            state.CurrentDeploymentId = service.CurrentDeploymentId;
            state.CurrentStatus = service.CurrentStatus;
            state.LastGoodDeploymentId = service.LastGoodDeploymentId;
            state.ActionTimes.AddRange(service.ActionTimes);
            state.BudgetAlertedAt = service.BudgetAlertedAt;
            state.CurrentCommit = service.CurrentCommit;
        }

        model._seenDeploymentStatuses.UnionWith(snapshot.SeenDeploymentStatuses);
        model._restartedDeployments.UnionWith(snapshot.RestartedDeployments);
        model._commits.AddRange(snapshot.Commits);
        foreach (var incident in snapshot.OpenIncidents)
        {
            model._openIncidents[incident.Fingerprint] = incident;
        }

        foreach (var workflow in snapshot.Workflows)
        {
            model._workflows[workflow.WorkflowId] = workflow;
        }

        foreach (var requested in snapshot.Pending)
        {
            model._pending[requested.ActionId] = requested;
        }

        foreach (var key in snapshot.Deliveries)
        {
            model._deliveries.Add(key);
        }

        foreach (var key in snapshot.JudgedCommits)
        {
            model._judgedCommits.Add(key);
        }

        foreach (var executionId in snapshot.N8nFailures ?? [])
        {
            model._n8nFailures.Add(executionId);
        }

        foreach (var approval in snapshot.Approvals ?? [])
        {
            model._approvals[approval.ApprovalId] = approval;
        }

        foreach (var entry in snapshot.ApprovalMessages ?? [])
        {
            var tab = entry.IndexOf('\t');
            model._approvalMessages[entry[..tab]] = entry[(tab + 1)..];
        }

        foreach (var entry in snapshot.ClosedApprovals ?? [])
        {
            var tab = entry.IndexOf('\t');
            model.CloseApproval(entry[..tab], entry[(tab + 1)..]);
        }

        return model;
    }

    public OrchestratorStatus Status(IEnumerable<string> watchedServices, DateTimeOffset budgetSince, int budget) => new(
        Paused,
        DryRun,
        watchedServices.Select(name =>
        {
            var state = _services.GetValueOrDefault(name);
            var used = ActionsInWindow(name, budgetSince);
            return new ServiceView(name, state?.CurrentDeploymentId, state?.CurrentStatus, state?.LastGoodDeploymentId, used, used >= budget);
        }).ToArray(),
        _openIncidents.Values.OrderBy(i => i.OpenedAt).ToArray(),
        _workflows.Values.OrderBy(w => w.WorkflowId, StringComparer.Ordinal).ToArray(),
        _commits.ToArray(),
        _pending.Count,
        LastCycleAt);

    private ServiceState Service(string name)
    {
        if (!_services.TryGetValue(name, out var state))
        {
            state = new ServiceState();
            _services[name] = state;
        }

        return state;
    }

    private sealed class ServiceState
    {
        public string? CurrentDeploymentId { get; set; }

        public string? CurrentStatus { get; set; }

        public string? CurrentCommit { get; set; }

        public string? LastGoodDeploymentId { get; set; }

        public List<DateTimeOffset> ActionTimes { get; } = [];

        public DateTimeOffset? BudgetAlertedAt { get; set; }
    }
}

/// <summary>Values of <see cref="Observed.Kind"/> the orchestrator records.</summary>
public static class ObservationKinds
{
    /// <summary>A Railway deployment status (Status holds Railway's name, e.g. SUCCESS).</summary>
    public const string DeploymentStatus = "deployment-status";

    /// <summary>A deployment did not settle in time.</summary>
    public const string DeploymentHung = "deployment-hung";

    /// <summary>A commit reached a watched branch (Summary holds the branch).</summary>
    public const string CommitPushed = "commit-pushed";

    /// <summary>A commit's checks finished (Status: passed / failed; Summary holds the branch).</summary>
    public const string ChecksCompleted = "checks-completed";

    /// <summary>A health probe failed.</summary>
    public const string HealthCheckFailed = "health-check-failed";

    /// <summary>A health probe passes again.</summary>
    public const string HealthCheckRecovered = "health-check-recovered";

    /// <summary>A target database has pending migration files (Status: the trigger).</summary>
    public const string MigrationsPending = "migrations-pending";

    /// <summary>A target's migration files cannot be applied (e.g. a changed checksum).</summary>
    public const string MigrationsRefused = "migrations-refused";

    /// <summary>A migration step was found cut off after a restart, and settled.</summary>
    public const string MigrationInterrupted = "migration-interrupted";

    /// <summary>An operator asked for a migration (<c>autopilot migrate</c>).</summary>
    public const string MigrationRequested = "migration-requested";
}

/// <summary>Values of <see cref="AutopilotModeChanged.Change"/>.</summary>
public static class ModeChanges
{
    /// <summary>Autonomous actions paused.</summary>
    public const string Paused = "paused";

    /// <summary>Autonomous actions resumed.</summary>
    public const string Resumed = "resumed";

    /// <summary>Dry-run switched on.</summary>
    public const string DryRunOn = "dry-run-on";

    /// <summary>Dry-run switched off.</summary>
    public const string DryRunOff = "dry-run-off";

    /// <summary>A service's action budget ran out; one CRITICAL alert was sent.</summary>
    public const string BudgetExhausted = "budget-exhausted";
}

/// <summary>Values of <see cref="IncidentUpdated.Change"/>.</summary>
public static class IncidentChanges
{
    /// <summary>The same kind of failure happened again.</summary>
    public const string Repeated = "repeated";

    /// <summary>A human took it (Detail: who).</summary>
    public const string Acknowledged = "acknowledged";

    /// <summary>A GitHub issue was opened or commented (Detail: which).</summary>
    public const string IssueLinked = "issue-linked";

    /// <summary>The service is healthy again.</summary>
    public const string Resolved = "resolved";
}
