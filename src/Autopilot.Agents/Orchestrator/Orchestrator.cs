using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Autopilot.Agents.Alerts;
using Autopilot.Agents.Fencing;
using Autopilot.Agents.Migrations;
using Autopilot.Agents.GitHub;
using Autopilot.Agents.Policy;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Railway;
using Autopilot.Agents.Readiness;
using Autopilot.Agents.Tasks;
using Autopilot.Platforms.Railway;

namespace Autopilot.Agents.Orchestrator;

/// <summary>
/// The supervisor at <c>/user/orchestrator</c>: an observe → orient → decide → act loop that keeps production healthy.
/// It observes on a timer and on events (worker reports, webhooks), orients each observation into a situation, decides
/// from the policy table within the safety rails (pause, dry-run, per-service action budget) with a confidence from
/// <see cref="ConfidenceRules"/> on every decision (act, ask a human through <c>RequestHumanApproval</c>, or record only),
/// sends every green commit through the readiness gate (<see cref="ReadinessGate"/>: GO / WARNING / NO-GO) before it
/// deploys it, and acts through its workers in parallel. Every step is persisted as an audit event; an action is recorded as requested BEFORE its side
/// effect and closed by its result, so after a restart it reconciles unanswered actions by asking the platform instead
/// of repeating them.
/// </summary>
/// <remarks>
/// Each message is handled as one unit of work: what it leads to (observation, orientation, incident, decision, the
/// actions requested) is applied to the world model at once, written in ONE atomic journal write when the handler is
/// done, and only then are workers told to act and callers answered. A crash therefore never leaves a decision without
/// its action requests, nor an effect without its record. After recovery, unanswered requests are reconciled with the
/// platform (Railway changes), sent again when the receiver makes them idempotent (alerts by action id, issues by
/// fingerprint, read-only checks), and otherwise closed as "outcome unknown, not repeated".
/// <para>
/// On Akka.NET: every command handler is registered through <c>Handle&lt;T&gt;</c>, which wraps Akka's <c>Command&lt;T&gt;</c>
/// so that the handler only collects the unit (events applied to the model, effects queued) and the wrapper then flushes
/// it with ONE <c>PersistAll</c> (one atomic write to the journal) and runs the effects in the callback of the last event,
/// i.e. only once the whole unit is durable. While that write is in flight Akka stashes further commands internally, so
/// the next message is handled against the model including this unit. Audit tags are added by the journal's
/// <see cref="Serialization.AuditTagger"/> event adapter. A failed write stops the actor (Akka's rule) and
/// <see cref="AutopilotTree.SupervisedProps"/>'s <c>Backoff.OnStop</c> starts it again from the journal; a rejected write
/// stops it too (see <see cref="OnPersistRejected"/>) because the model already holds the refused events.
/// </para>
/// <para>
/// Fencing (a cluster singleton holding a lease, see <see cref="IActionFence"/>): each action request takes
/// <see cref="IActionFence.Check"/> when it is recorded and carries the lease's token in
/// <see cref="ActionRequested.FencingToken"/>. When the fence is not held at that moment, the node is about to be
/// replaced: the whole unit of work is dropped — nothing of it is written, no worker is told — and the orchestrator
/// stops, because its model already holds the dropped events (under <see cref="AutopilotTree.SupervisedProps"/> it is
/// started again from the journal after the backoff; a cluster singleton that lost its lease is stopped for good).
/// Recording the observation or the decision without its actions would make the next leader believe it was handled;
/// without them, the leader that holds the lease reads the journal and decides again. After recovery with a token,
/// the orchestrator records <see cref="SingletonStarted"/> (once per node and token) before it handles any command.
/// </para>
/// <para>
/// Approvals: an action the policy marks <c>approve:</c>, or one over the service's budget, is not requested but
/// recorded as <see cref="ApprovalRequested"/> (with everything the action is rebuilt from) and sent to the approvers'
/// Telegram chat with Approve / Reject buttons. <see cref="DecideApproval"/> (the admin API) or a button press (a
/// Telegram update handed over from the durable intake, pressed by a user on the allow-list) records
/// <see cref="ApprovalDecided"/> and, when approved, the decision and its action request exactly as the policy would
/// have, in the same write. Only the first decision counts. Nobody deciding within the timeout records
/// <see cref="ApprovalExpired"/> and a WARNING alert. Pause and dry-run still win: an approval decided while paused is
/// recorded but acts on nothing (the action is not run later either: a human decides again on a fresh situation), in
/// dry-run its action is recorded as a dry-run decision. Pending approvals are part of the world model, so they survive
/// a restart or fail-over, and their expiry timers are started again from the journal.
/// </para>
/// <para>
/// Operator tasks: the durable task queue (<see cref="TaskQueue"/>) is the child <c>tasks</c>, so it moves with the
/// orchestrator; the orchestrator forwards the queue's API to it. A task's production change comes back as a
/// <see cref="RunTaskAction"/> and goes through the same rails as any decision; the result of the action it requested is
/// handed back to the queue as a <see cref="TaskActionSettled"/>.
/// </para>
/// </remarks>
public sealed class Orchestrator : ReceivePersistentActor, IWithTimers
{
    /// <summary>The persistence id (one orchestrator per cluster).</summary>
    public const string DefaultPersistenceId = "orchestrator";

    private const string CycleTimer = "ooda-cycle";
    private readonly OrchestratorSettings _settings;
    private readonly RailwaySettings _railway;
    private readonly PolicyTable _policy;
    private readonly ConfidenceRules _confidence;
    private readonly ReadinessSettings _readiness;
    private readonly OrchestratorWorkers _workers;
    private readonly IActionFence _fence;
    private readonly ApprovalSettings _approvals;
    /// <summary>Replaced only by a snapshot offered at recovery, before any event is applied.</summary>
    private WorldModel _world;
    private readonly Dictionary<string, Situation> _awaiting = new(StringComparer.Ordinal);
    /// <summary>Who asked for an on-demand readiness assessment, by its action id (answered with the <see cref="ReadinessAssessed"/>).</summary>
    private readonly Dictionary<string, IActorRef> _readinessCallers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IActorRef> _migrationCallers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _settledByWorker = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _workerStartedAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _workerFailures = new(StringComparer.Ordinal);
    private readonly List<IAuditEvent> _unit = [];
    private readonly List<Action> _effects = [];
    private string? _lastWorkerFailure;

    /// <summary>Why the current unit of work must not be recorded (the fence was not held when it requested an action), or null.</summary>
    private string? _fenceRefusal;

    /// <summary>The last <see cref="SingletonStarted"/> replayed (not seen when it lies before the recovered snapshot).</summary>
    private (string Node, long Token)? _lastLeader;

    /// <summary>Sequence number of the newest snapshot offered at recovery or asked for since.</summary>
    private long _snapshotAt;

    /// <summary>Creates the orchestrator; prefer <see cref="Props"/>.</summary>
    public Orchestrator(
        OrchestratorSettings settings, RailwaySettings railway, PolicyTable policy, OrchestratorWorkers workers, IActionFence? fence = null,
        ConfidenceRules? confidence = null, ReadinessSettings? readiness = null)
    {
        _settings = settings;
        _railway = railway;
        _policy = policy;
        _confidence = confidence ?? DefaultConfidence();
        _readiness = readiness ?? DefaultReadiness();
        _workers = workers;
        _fence = fence ?? ActionFence.Unfenced;
        _approvals = settings.ApprovalsOrDefault;
        _world = new WorldModel(settings.StartPaused, settings.StartInDryRun);

        Recover<SnapshotOffer>(offer =>
        {
            _world = WorldModel.FromSnapshot((OrchestratorSnapshot)offer.Snapshot);
            _snapshotAt = offer.Metadata.SequenceNr;
        });
        Recover<IAuditEvent>(e =>
        {
            _world.Apply(e); // not a method group: that would bind the model replaced by a snapshot
            if (e is SingletonStarted started)
            {
                _lastLeader = (started.Node, started.Token);
            }
        });
        Recover<RecoveryCompleted>(_ => OnRecovered());
        Command<SaveSnapshotSuccess>(saved => DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1, DateTime.MaxValue)));
        Command<SaveSnapshotFailure>(failed => Context.GetLogger().Warning(
            $"Snapshot of the world model at #{failed.Metadata.SequenceNr} failed ({failed.Cause.Message}); recovery replays from the previous one."));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(failed => Context.GetLogger().Warning($"Deleting older snapshots of the world model failed: {failed.Cause.Message}"));

        Handle<Tick>(_ => Observe());
        Handle<Terminated>(OnWorkerTerminated);
        Handle<RestartWorker>(restart =>
        {
            if (WorkerProps().FirstOrDefault(w => w.Name == restart.Name) is { Props: not null } worker && Worker(worker.Name).Equals(Nobody.Instance))
            {
                StartWorker(worker.Name, worker.Props);
            }
        });
        Handle<WorkerReport>(OnReport);
        Handle<WorkerResult>(OnResult);
        Handle<ReadinessReport>(OnReadinessReport);
        Handle<AssessReadiness>(OnAssessReadiness);
        Handle<ExternalEvent>(OnExternalEvent);
        Handle<ExternalEvents>(OnExternalEvents);
        Handle<PauseAutopilot>(p => ChangeMode(_world.Paused, ModeChanges.Paused, p.By, "autopilot paused"));
        Handle<ResumeAutopilot>(r => ChangeMode(!_world.Paused, ModeChanges.Resumed, r.By, "autopilot resumed"));
        Handle<SetDryRun>(d => ChangeMode(_world.DryRun == d.Enabled, d.Enabled ? ModeChanges.DryRunOn : ModeChanges.DryRunOff, "operator",
            d.Enabled ? "dry-run on: deciding and recording only" : "dry-run off: acting again"));
        Handle<RequestRollback>(OnRequestRollback);
        Handle<RunDrill>(OnDrill);
        Handle<RunMigrations>(OnRunMigrations);
        Handle<AcknowledgeIncident>(OnAcknowledge);
        // Workers raise alerts through their parent; the orchestrator records and hands them to its alerts worker.
        Handle<RaiseAlert>(alert => RequestAlert(alert));
        Handle<DecideApproval>(OnDecideApproval);
        Handle<ExpireApproval>(OnExpireApproval);
        Handle<GetPendingApprovals>(_ => Sender.Tell(new PendingApprovals(
            _world.Approvals.Values.OrderBy(a => a.At).ThenBy(a => a.ApprovalId, StringComparer.Ordinal).ToArray(), _approvals.Timeout)));
        // Operator tasks: the queue (a child, see TaskQueue) takes the API's requests and sends each task back here.
        Command<ITaskQueueRequest>(request => Context.Child(TaskQueue.Name).Forward(request));
        Handle<RunTaskAction>(OnRunTaskAction);
        Handle<FindTaskAction>(find => Sender.Tell(new TaskActionState(find.TaskId,
            _world.Pending.Values.FirstOrDefault(p => p.Parameters.GetValueOrDefault(ActionParameters.TaskId) == find.TaskId)?.ActionId)));
        Handle<GetOrchestratorStatus>(_ => Sender.Tell(_world.Status(_railway.Services.Select(s => s.Name), BudgetSince, _settings.MaxActionsPerService)));
    }

    /// <inheritdoc />
    public override string PersistenceId => DefaultPersistenceId;

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the orchestrator (create it as <c>orchestrator</c> under <c>/user</c>).</summary>
    /// <param name="settings">The loop's settings.</param>
    /// <param name="railway">The watched services.</param>
    /// <param name="policy">What to do in which situation.</param>
    /// <param name="workers">The workers' Props (give them the same <paramref name="fence"/>).</param>
    /// <param name="fence">The node's lease as a fence (see the remarks on the class); null for a single node.</param>
    /// <param name="confidence">The confidence rules; null for the embedded defaults (<c>autopilot.agents.confidence</c>).</param>
    /// <param name="readiness">The readiness gate's settings (WARNING deploys); null for the embedded defaults.</param>
    public static Props Props(
        OrchestratorSettings settings, RailwaySettings railway, PolicyTable policy, OrchestratorWorkers workers, IActionFence? fence = null,
        ConfidenceRules? confidence = null, ReadinessSettings? readiness = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(railway);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(workers);
        var actions = fence ?? ActionFence.Unfenced;
        var rules = confidence ?? DefaultConfidence();
        var gate = readiness ?? DefaultReadiness();
        return Akka.Actor.Props.Create(() => new Orchestrator(settings, railway, policy, workers, actions, rules, gate));
    }

    private static ConfidenceRules DefaultConfidence() =>
        ConfidenceRules.FromConfig(new Configuration.ConfigSection(AgentsSettings.Reference, $"{AgentsSettings.Path}.confidence"));

    private static ReadinessSettings DefaultReadiness() =>
        ReadinessSettings.FromConfig(new Configuration.ConfigSection(AgentsSettings.Reference, $"{AgentsSettings.Path}.readiness"), []);

    /// <summary>The timer message of the observe cycle.</summary>
    private sealed record Tick;

    /// <summary>A pending approval's time is up (a no-op when it was decided meanwhile).</summary>
    private sealed record ExpireApproval(string ApprovalId);

    /// <summary>The backoff of a failed worker is over.</summary>
    private sealed record RestartWorker(string Name);

    /// <summary>An oriented observation: where decide starts.</summary>
    private sealed record Situation(
        string Service, string Name, string Evidence, string? DeploymentId, string? Commit, IReadOnlyList<string> LogTail,
        IReadOnlyDictionary<string, string> Details)
    {
        public string Fingerprint => $"{Service}:{Name}";
    }

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    private DateTimeOffset BudgetSince => Now - _settings.BudgetWindow;

    /// <inheritdoc />
    protected override void PreStart()
    {
        IncarnationStarted.Announce(Context);
        foreach (var (name, props) in WorkerProps())
        {
            StartWorker(name, props);
        }

        Context.ActorOf(TaskQueue.SupervisedProps(_settings.TasksOrDefault, Self), TaskQueue.Name);
        base.PreStart();
    }

    /// <summary>
    /// One-for-one with exponential backoff: a worker that throws is stopped (its siblings carry on), its in-flight
    /// actions are recorded as failed — their outcome is unknown and they are not repeated — and it is started again
    /// after <see cref="OrchestratorSettings.WorkerBackoff"/>.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(cause =>
    {
        _lastWorkerFailure = cause.GetType().Name;
        return Directive.Stop;
    });

    private IEnumerable<(string Name, Props Props)> WorkerProps()
    {
        (string, Props?)[] all =
        [
            (WorkerNames.Railway, _workers.Railway), (WorkerNames.GitHub, _workers.GitHub), (WorkerNames.Alerts, _workers.Alerts),
            (WorkerNames.N8n, _workers.N8n), (WorkerNames.Health, _workers.Health), (WorkerNames.Readiness, _workers.Readiness),
        ];
        return all.Where(w => w.Item2 is not null).Select(w => (w.Item1, w.Item2!))
            .Concat((_workers.Migrations ?? []).Select(m => (m.Name, m.Props)));
    }

    private IEnumerable<MigrationTarget> MigrationTargets => (_workers.Migrations ?? []).Select(m => m.Target);

    private MigrationTarget? MigrationTargetOf(string name) => MigrationTargets.FirstOrDefault(t => t.Name == name);

    private void StartWorker(string name, Props props)
    {
        Context.Watch(Context.ActorOf(props, name));
        _workerStartedAt[name] = Now;
    }

    private void OnWorkerTerminated(Terminated terminated)
    {
        var name = terminated.ActorRef.Path.Name;
        if (!WorkerProps().Any(w => w.Name == name))
        {
            return;
        }

        // A worker that stayed up for the longest backoff starts its failure count afresh.
        var failures = _workerStartedAt.TryGetValue(name, out var started) && Now - started < _settings.WorkerBackoffMax
            ? _workerFailures.GetValueOrDefault(name) + 1
            : 1;
        _workerFailures[name] = failures;
        var delay = _settings.WorkerBackoff(failures);
        var cause = _lastWorkerFailure ?? "stopped";
        _lastWorkerFailure = null;
        Context.GetLogger().Warning($"Worker {name} stopped ({cause}); starting it again in {delay}.");
        foreach (var inFlight in _world.Pending.Values.Where(p => p.Worker == name).ToArray())
        {
            Self.Tell(new WorkerResult(inFlight.ActionId, false, Error: $"{name} worker failed ({cause}) and is restarted after {delay}; outcome unknown, not repeated"));
        }

        Timers.StartSingleTimer($"restart-{name}", new RestartWorker(name), delay);
    }

    private void OnRecovered()
    {
        // A leader with a lease says so first (the fail-over on the record); a single node has no token and records nothing.
        if (_fence.Check() is { Held: true, Token: { } token } check)
        {
            var node = check.Holder ?? "(unnamed node)";
            if (_lastLeader != (node, token))
            {
                _lastLeader = (node, token);
                Record(new SingletonStarted(node, token, Now));
            }
        }

        // Actions recorded as requested but never answered may or may not have happened: Railway changes are reconciled
        // by asking the platform, idempotent requests are sent again, anything else is closed without repeating it.
        foreach (var requested in _world.Pending.Values)
        {
            if (requested.Worker == WorkerNames.Railway && PolicyActions.IsMutating(requested.Action))
            {
                Worker(WorkerNames.Railway).Tell(
                    new ReconcileAction(requested.ActionId, requested.Action, requested.Service, requested.At, requested.DeploymentId), Self);
            }
            else if (PolicyActions.IsIdempotent(requested.Action))
            {
                Dispatch(requested);
            }
            else if (requested.Action == PolicyActions.Migrate)
            {
                // The migrations worker journals each step itself: after its own recovery it asks the database where the
                // run stopped and reports that (MigrationInterrupted). The action is closed here without an alert of its own.
                _settledByWorker.Add(requested.ActionId);
                Self.Tell(new WorkerResult(requested.ActionId, false,
                    Error: "interrupted by an orchestrator restart; the migrations worker reports where it stopped, nothing is applied twice"));
            }
            else
            {
                Self.Tell(new WorkerResult(requested.ActionId, false, Error: "interrupted by an orchestrator restart; outcome unknown, not repeated"));
            }
        }

        // Approvals pending in the journal wait for the rest of their time (or expire at once when it is over).
        foreach (var approval in _world.Approvals.Values)
        {
            ScheduleExpiry(approval);
        }

        Self.Tell(new Tick());
        Timers.StartPeriodicTimer(CycleTimer, new Tick(), _settings.CycleInterval);
        Commit();
    }

    // ---- observe ----

    private void Observe()
    {
        _world.LastCycleAt = Now;
        Worker(WorkerNames.Railway).Tell(ObserveServices.Instance, Self);
        Worker(WorkerNames.GitHub).Tell(PollCommits.Instance, Self);
    }

    private void OnExternalEvent(ExternalEvent external)
    {
        var replyTo = Sender;
        var message = Receive(external) ? $"{external.Source} {external.EventType} accepted" : $"delivery {external.DeliveryId} already handled";
        Effect(() => replyTo.Tell(new ControlAck(true, message)));
    }

    /// <summary>
    /// Deliveries the hand-over brings together: one unit of work, so they are journaled in one write and confirmed by
    /// one <see cref="ControlAck"/> once it committed.
    /// </summary>
    private void OnExternalEvents(ExternalEvents batch)
    {
        var replyTo = Sender;
        var accepted = 0;
        foreach (var external in batch.Events)
        {
            if (Receive(external))
            {
                accepted++;
            }
        }

        Effect(() => replyTo.Tell(new ControlAck(true, $"{accepted} of {batch.Events.Count} deliveries accepted, the others already handled")));
    }

    /// <summary>
    /// Records a delivery in the open unit of work and what it sets off once the unit is durable; false (nothing
    /// recorded) for a delivery id handled before.
    /// </summary>
    private bool Receive(ExternalEvent external)
    {
        if (_world.HasDelivery(external.Source, external.DeliveryId))
        {
            return false;
        }

        Record(new ExternalEventReceived(external.Source, external.EventType, external.DeliveryId, Now));
        if (external.Source == ExternalEventSources.Telegram)
        {
            OnTelegramUpdate(external);
        }

        Effect(() =>
        {
            switch (external.Source)
            {
                case ExternalEventSources.GitHub:
                    Worker(WorkerNames.GitHub).Tell(external, Self);
                    // A push touching a target's migrations folder: its worker reads the files and reports what is pending.
                    var (targets, pushed) = MigrationPush.Touched(external, MigrationTargets);
                    foreach (var target in targets)
                    {
                        Worker(MigrationsWorker.WorkerName(target.Name)).Tell(new CheckMigrations(pushed, "push"), Self);
                    }

                    break;
                case ExternalEventSources.N8n:
                    Worker(WorkerNames.N8n).Tell(external, Self);
                    break;
                case ExternalEventSources.Railway when RailwayDeploymentOf(external) is { } watch:
                    Worker(WorkerNames.Railway).Tell(watch, Self);
                    break;
            }
        });
        return true;
    }

    private WatchDeployment? RailwayDeploymentOf(ExternalEvent external)
    {
        var serviceId = external.Text("service", "id");
        var watched = serviceId is null ? null : _railway.Services.FirstOrDefault(s => s.ServiceId == serviceId);
        var deploymentId = external.Text("deployment", "id");
        // Railway ids are UUIDs; anything else cannot name a monitor and is not watched.
        return watched is null || deploymentId is null || deploymentId.Length is 0 or > 64 || !deploymentId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            ? null
            : new WatchDeployment(watched.Name, deploymentId, WatchPurposes.Observed, null);
    }

    private void OnReport(WorkerReport report)
    {
        switch (report.Observation)
        {
            case DeploymentStatusChanged changed:
                var status = WireName(changed.Current);
                // A status is news once. The exception: the SUCCESS of a deploy or rollback the autopilot is watching,
                // when a routine observe pass saw it first (e.g. a new leader's first pass during its recovery) — it
                // is what resolves the incident, so it is oriented once for that purpose too.
                var completesWatch = changed is { Current: DeploymentStatus.Success, Purpose: WatchPurposes.Deploy or WatchPurposes.Rollback };
                var news = !_world.HasSeen(changed.DeploymentId, status)
                           || (completesWatch && !_world.HasSeen(changed.DeploymentId, status, changed.Purpose));
                if (!news)
                {
                    return;
                }

                Record(new Observed(report.Worker, ObservationKinds.DeploymentStatus,
                        $"{changed.Service} deployment {changed.DeploymentId} {(changed.Previous is { } p ? WireName(p) : "?")} → {status} ({changed.Purpose})"
                        + (changed.LogTail is { Count: > 0 } tail ? $"; {tail.Count} log lines read" : ""),
                        changed.Service, changed.DeploymentId, changed.Commit, Now, status, changed.Purpose),
                    () => Orient(changed));
                break;
            case DeploymentHung hung:
                Record(new Observed(report.Worker, ObservationKinds.DeploymentHung,
                        $"{hung.Service} deployment {hung.DeploymentId} stuck in {WireName(hung.Status)} for {hung.WatchedFor}",
                        hung.Service, hung.DeploymentId, hung.Commit, Now, WireName(hung.Status)),
                    () => Situate(new Situation(hung.Service, Situations.DeploymentHung, $"stuck in {WireName(hung.Status)} for {hung.WatchedFor}",
                        hung.DeploymentId, hung.Commit, [], Empty)));
                break;
            case CommitPushed pushed:
                Record(new Observed(report.Worker, ObservationKinds.CommitPushed, pushed.Branch, null, null, pushed.Sha, Now));
                break;
            case CommitChecksCompleted checks when _world.HasJudged(checks.Sha, checks.Passed):
                // Judged before (e.g. re-polled after a restart or fail-over): deciding again would deploy it twice.
                break;
            case CommitChecksCompleted checks:
                Record(new Observed(report.Worker, ObservationKinds.ChecksCompleted, checks.Branch, null, null, checks.Sha, Now, checks.Passed ? "passed" : "failed"), () =>
                {
                    foreach (var service in _railway.Services.Where(s =>
                                 string.Equals(s.Repository?.ToString(), checks.Repository, StringComparison.OrdinalIgnoreCase) && s.Branch == checks.Branch))
                    {
                        Situate(new Situation(service.Name, checks.Passed ? Situations.ChecksPassed : Situations.ChecksFailed,
                            $"checks of {Short(checks.Sha)} on {checks.Branch} {(checks.Passed ? "passed" : "failed")}", null, checks.Sha, [], Empty));
                    }
                });
                break;
            case HealthCheckFailed failed:
                Record(new Observed(report.Worker, ObservationKinds.HealthCheckFailed, $"{failed.Target}: {failed.Reason}", failed.Service, null, null, Now, "failed"),
                    () => Situate(new Situation(failed.Service ?? failed.Target, Situations.HealthCheckFailed,
                        $"{failed.Target}: {failed.Reason} ({failed.ConsecutiveFailures} in a row)", null, null, [],
                        new Dictionary<string, string> { [ActionParameters.Target] = failed.Target })));
                break;
            case HealthCheckRecovered recovered:
                Record(new Observed(report.Worker, ObservationKinds.HealthCheckRecovered, recovered.Target, recovered.Service, null, null, Now, "recovered"));
                break;
            case N8nFailureDetected n8n when SameN8nFailure(n8n) is { } same:
                // One failure, already handled: recorded, not acted on again.
                Record(n8n);
                Record(new Decided(N8nServiceOf(n8n), Situations.N8nFailure, [], same, false, null, null, Now,
                    _confidence.Assess(new ConfidenceEvidence(Situations.N8nFailure, [])).Score));
                break;
            case N8nFailureDetected n8n:
                var details = new Dictionary<string, string> { [ActionParameters.WorkflowId] = n8n.WorkflowId, [ActionParameters.ExecutionId] = n8n.ExecutionId };
                if (n8n.WorkflowName is { } workflowName)
                {
                    details["workflowName"] = workflowName;
                }

                Record(n8n, () => Situate(new Situation(N8nServiceOf(n8n), Situations.N8nFailure, n8n.Error, null, null, [], details)));
                break;
            case MigrationsPending pending when MigrationTargetOf(pending.Target) is { } target:
                var pendingDetails = new Dictionary<string, string> { [ActionParameters.MigrationTarget] = target.Name };
                if (pending.Destructive.Count > 0)
                {
                    pendingDetails[ActionParameters.Destructive] = string.Join('\n', pending.Destructive);
                }

                var pendingText = $"{string.Join(", ", pending.Files)} pending at {Short(pending.Commit)} ({pending.Trigger})"
                                  + (pending.Destructive.Count > 0 ? $"; destructive: {string.Join("; ", pending.Destructive)}" : "");
                Record(new Observed(report.Worker, ObservationKinds.MigrationsPending, pendingText, target.Service, null, pending.Commit, Now, pending.Trigger),
                    () => Situate(new Situation(target.Service, Situations.MigrationsPending, pendingText, null, pending.Commit, [], pendingDetails)));
                break;
            case MigrationsRefused refused when MigrationTargetOf(refused.Target) is { } target:
                Record(new Observed(report.Worker, ObservationKinds.MigrationsRefused, refused.Reason, target.Service, null, refused.Commit, Now, "refused"),
                    () => Situate(new Situation(target.Service, Situations.MigrationFailed, $"migration refused, nothing applied: {refused.Reason}", null, refused.Commit, [],
                        new Dictionary<string, string> { [ActionParameters.MigrationTarget] = target.Name })));
                break;
            case MigrationInterrupted interrupted when MigrationTargetOf(interrupted.Target) is { } target:
                var where = $"{interrupted.Step}{(interrupted.File is { } file ? $" of {file}" : "")} was interrupted: {interrupted.Outcome}";
                Record(new Observed(report.Worker, ObservationKinds.MigrationInterrupted, where, target.Service, null, null, Now, interrupted.Step),
                    () => Situate(new Situation(target.Service, interrupted.NeedsHuman ? Situations.MigrationFailed : Situations.MigrationInterrupted, where, null, null, [],
                        new Dictionary<string, string> { [ActionParameters.MigrationTarget] = target.Name })));
                break;
            case IAuditEvent audit:
                // Workers own no journal: what they want on the record, the orchestrator records.
                Record(audit);
                break;
            default:
                Context.GetLogger().Debug($"Ignoring a {report.Observation.GetType().Name} report from {report.Worker}.");
                break;
        }
    }

    private static string N8nServiceOf(N8nFailureDetected failure) => $"n8n:{failure.WorkflowName ?? failure.WorkflowId}";

    /// <summary>
    /// Why <paramref name="failure"/> is a failure already on record rather than a new one — the same execution reported
    /// again, or a failed retry (n8n's <c>retryOf</c>) of a failed execution on record: an execution and its retries are
    /// one failure — or null when it is new.
    /// </summary>
    private string? SameN8nFailure(N8nFailureDetected failure)
    {
        if (_world.HasN8nFailure(failure.ExecutionId))
        {
            return $"execution {failure.ExecutionId} is already on record; recorded, not acted on again";
        }

        if (failure.RetryOf is not { Length: > 0 } retried || !_world.HasN8nFailure(retried))
        {
            return null;
        }

        var state = _world.WorkflowRecovered(failure.WorkflowId) ? "its job was already recovered" : "it was already acted on";
        return $"execution {failure.ExecutionId} is a failed retry of execution {retried}, the same failure: {state}; recorded, not acted on";
    }

    // ---- orient ----

    private void Orient(DeploymentStatusChanged changed)
    {
        var tail = changed.LogTail ?? [];
        var rollingBack = changed.Purpose == WatchPurposes.Rollback;
        (string Name, string Evidence)? situation = changed.Current switch
        {
            DeploymentStatus.Success when changed.Purpose == WatchPurposes.Deploy => (Situations.DeploySucceeded, "deployment reached SUCCESS"),
            DeploymentStatus.Success when rollingBack => (Situations.RollbackSucceeded, "rollback reached SUCCESS"),
            DeploymentStatus.Failed or DeploymentStatus.Crashed when rollingBack => (Situations.RollbackFailed, $"rollback {WireName(changed.Current)}"),
            DeploymentStatus.Failed => (Situations.BuildFailed, CrashDiagnosis.BuildError(tail)),
            DeploymentStatus.Crashed => OrientCrash(changed.DeploymentId, tail),
            DeploymentStatus.NeedsApproval => (Situations.NeedsApproval, "deployment waits for approval"),
            DeploymentStatus.Unknown => (Situations.StatusUnknown, "Railway reported a status this build does not know"),
            _ => null,
        };
        if (situation is { } s)
        {
            Situate(new Situation(changed.Service, s.Name, s.Evidence, changed.DeploymentId, changed.Commit, tail, Empty));
        }
    }

    private (string, string) OrientCrash(string deploymentId, IReadOnlyList<string> tail)
    {
        var (cause, evidence) = CrashDiagnosis.Diagnose(tail);
        return cause switch
        {
            CrashCause.OutOfMemory => (Situations.CrashedOutOfMemory, evidence),
            CrashCause.ConnectionRefused => (Situations.CrashedConnectionRefused, evidence),
            _ when _world.WasRestarted(deploymentId) => (Situations.CrashedAgain, evidence),
            _ => (Situations.CrashedTransient, evidence),
        };
    }

    private void Situate(Situation situation) =>
        Record(new Oriented(situation.Service, situation.Name, situation.Evidence, situation.DeploymentId, situation.Commit, Now), () => TrackIncident(situation));

    private void TrackIncident(Situation situation)
    {
        var incident = _world.OpenIncident(situation.Fingerprint);
        if (situation.Name is Situations.DeploySucceeded or Situations.RollbackSucceeded or Situations.MigrationSucceeded)
        {
            foreach (var open in _world.OpenIncidentsOf(situation.Service))
            {
                Record(new IncidentUpdated(open.IncidentId, IncidentChanges.Resolved, situation.Evidence, Now));
            }
        }
        else if (IsIncident(situation.Name))
        {
            Record(incident is null
                ? new IncidentOpened($"inc-{Guid.NewGuid():N}"[..16], situation.Service, situation.Fingerprint, TitleOf(situation), situation.DeploymentId, situation.Commit, Now)
                : new IncidentUpdated(incident.IncidentId, IncidentChanges.Repeated, situation.Evidence, Now));
        }

        Decide(situation);
    }

    private static bool IsIncident(string situation) =>
        situation is not (Situations.ChecksPassed or Situations.ChecksFailed or Situations.DeploySucceeded or Situations.RollbackSucceeded or Situations.NeedsApproval
            or Situations.MigrationsPending or Situations.MigrationSucceeded);

    // ---- decide ----

    private void Decide(Situation situation)
    {
        var confidence = ConfidenceOf(situation);
        var planned = _policy.ActionsFor(situation.Name);
        if (planned.Count == 0)
        {
            Record(Decision(situation, [], "the policy table has no action for this situation", confidence));
            return;
        }

        // Look before acting: a commit Railway already runs or is rolling out is not deployed again.
        var note = "";
        if (planned.Contains(PolicyActions.Deploy) && situation.Commit is { } commit && _world.DeploymentOf(situation.Service, commit) is { } there)
        {
            note = $"{Short(commit)} is already on Railway ({there.What}, {there.Status}): not deployed again";
            planned = planned.Where(a => a != PolicyActions.Deploy).ToArray();
            if (planned.Count == 0)
            {
                Record(Decision(situation, [], note, confidence));
                return;
            }

            note = $"; {note}";
        }

        // The rails first: pause and dry-run win over everything, confidence and approvals included.
        if (_world.Paused)
        {
            Record(Decision(situation, [], $"autopilot paused; the policy would: {string.Join(", ", planned)}", confidence));
            return;
        }

        if (_world.DryRun)
        {
            Record(Decision(situation, planned, "dry-run: recorded, not executed", confidence, dryRun: true));
            return;
        }

        // Actions the table marks "approve:" always wait for a human. Of the others, production changes are carried out
        // at or above their confidence act threshold, put to a human in the review band, and only recorded below it;
        // telling humans and reading go ahead at any confidence.
        // A migration with destructive statements (DROP, TRUNCATE, DELETE without WHERE) always waits for a human too.
        var waiting = planned.Where(a => _policy.RequiresApproval(situation.Name, a)
                                         || (a == PolicyActions.Migrate && situation.Details.ContainsKey(ActionParameters.Destructive))).ToList();
        var acting = new List<string>();
        var holding = new List<string>();
        var askedForConfidence = new List<string>();
        foreach (var action in planned.Where(a => !waiting.Contains(a)))
        {
            var band = PolicyActions.IsMutating(action) ? _confidence.Band(action, confidence.Score) : ConfidenceBand.Act;
            (band switch { ConfidenceBand.Act => acting, ConfidenceBand.Review => askedForConfidence, _ => holding }).Add(action);
        }

        var confidenceNote = ConfidenceNote(confidence, askedForConfidence, holding);
        var mutating = acting.Count(PolicyActions.IsMutating);
        var used = _world.ActionsInWindow(situation.Service, BudgetSince);
        if (mutating > 0 && used + mutating > _settings.MaxActionsPerService)
        {
            // Over budget: nothing autonomous; each production change the policy wants is put to a human instead.
            var overBudget = planned.Where(PolicyActions.IsMutating).ToArray();
            var budget = $"action budget exhausted ({used} of {_settings.MaxActionsPerService} per {_settings.BudgetWindow})";
            Record(Decision(situation, [], $"{budget}; the policy would: {string.Join(", ", planned)}; approval requested for: {string.Join(", ", overBudget)}", confidence), () =>
            {
                AlertBudgetOnce(situation);
                foreach (var action in overBudget)
                {
                    RequestHumanApproval(situation, action, $"{budget}: a human must approve any further change to {situation.Service}", confidence.Score,
                        EvidenceOf(situation, confidence));
                }
            });
            return;
        }

        var approvalNote = waiting.Count == 0 ? "" : $"; waiting for approval: {string.Join(", ", waiting)}";
        var deployNote = acting.Contains(PolicyActions.Deploy) ? "; the deploy waits for the readiness gate" : "";
        Record(Decision(situation, acting, $"policy rule \"{situation.Name}\"{note}{deployNote}{approvalNote}{confidenceNote}", confidence), () =>
        {
            Act(situation, acting);
            foreach (var action in waiting)
            {
                var why = action == PolicyActions.Migrate && situation.Details.TryGetValue(ActionParameters.Destructive, out var destructive)
                    ? $"the migration has destructive statements: {destructive.Replace('\n', ';')}"
                    : $"policy rule \"{situation.Name}\" marks {action} approve:";
                RequestHumanApproval(situation, action, why, confidence.Score, EvidenceOf(situation, confidence));
            }

            foreach (var action in askedForConfidence)
            {
                RequestHumanApproval(situation, action,
                    $"confidence {confidence.Score} is in the review band of {action} ({_confidence.For(action).Review}-{_confidence.For(action).Act - 1})",
                    confidence.Score, EvidenceOf(situation, confidence));
            }

            if (holding.Count > 0 && Situations.IsSevere(situation.Name) && !acting.Contains(PolicyActions.AlertCritical) && !acting.Contains(PolicyActions.RecommendScaleUp))
            {
                RequestAlert(new RaiseAlert(AlertSeverity.Critical,
                    $"{TitleOf(situation)}: not acted on (confidence {confidence.Score})",
                    $"The autopilot did not {string.Join(", ", holding)}: its confidence {confidence.Score} ({confidence.Explain()}) is below the review threshold. "
                    + $"A human is needed.\n\n{BodyOf(situation)}",
                    situation.Fingerprint, situation.Service), situation);
            }
        });
    }

    // ---- approvals ----

    /// <summary>
    /// Asks a human instead of acting: records <see cref="ApprovalRequested"/> with the situation as its evidence (all
    /// the action is rebuilt from), sends it to the approvers (a recorded, fenced action of the alerts worker) and
    /// starts its expiry once durable. An approval already pending for the same action, service and situation is not
    /// asked again.
    /// </summary>
    private void RequestHumanApproval(Situation situation, string action, string reason, int? confidence = null, IReadOnlyDictionary<string, string>? extraEvidence = null)
    {
        if (_world.PendingApprovalFor(situation.Service, action, situation.Name) is { } pending)
        {
            Context.GetLogger().Info($"Approval {pending.ApprovalId} of {action} for {situation.Fingerprint} is still pending; not asked again.");
            return;
        }

        var evidence = new Dictionary<string, string>(situation.Details, StringComparer.Ordinal)
        {
            [ApprovalEvidence.Situation] = situation.Name,
            [ApprovalEvidence.Text] = situation.Evidence,
        };
        if (situation.LogTail.Count > 0)
        {
            evidence[ApprovalEvidence.LogTail] = string.Join('\n', situation.LogTail.TakeLast(20));
        }

        // What the decision rests on besides the situation (confidence basis, readiness checks); the situation's own keys win.
        foreach (var (key, value) in extraEvidence ?? Empty)
        {
            evidence.TryAdd(key, value);
        }

        RequestHumanApproval(situation.Service, action, reason, confidence, evidence, situation.Commit, situation.DeploymentId);
    }

    /// <summary>Records <see cref="ApprovalRequested"/> (the shape every trigger uses), notifies the approvers, and arms its expiry.</summary>
    private void RequestHumanApproval(
        string service, string action, string reason, int? confidence, IReadOnlyDictionary<string, string> evidence, string? commit, string? deploymentId)
    {
        var approval = new ApprovalRequested($"apr-{Guid.NewGuid():N}"[..16], service, action, reason, confidence, evidence, commit, deploymentId, Now);
        Record(approval);
        Request(WorkerNames.Alerts, PolicyActions.RequestApproval, SituationOf(approval), new Dictionary<string, string>
        {
            [ActionParameters.ApprovalId] = approval.ApprovalId,
            [ActionParameters.Body] = ApprovalText.Request(approval, _approvals.Timeout),
        });
        Effect(() => ScheduleExpiry(approval));
    }

    /// <summary>The situation an approval was asked for, rebuilt from its evidence: what the action is requested for once approved.</summary>
    private static Situation SituationOf(ApprovalRequested approval)
    {
        var details = approval.Evidence
            .Where(e => e.Key is not (ApprovalEvidence.Situation or ApprovalEvidence.Text or ApprovalEvidence.LogTail))
            .ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        return new Situation(
            approval.Service,
            approval.Evidence.GetValueOrDefault(ApprovalEvidence.Situation) ?? "approval",
            approval.Evidence.GetValueOrDefault(ApprovalEvidence.Text) ?? approval.Reason,
            approval.DeploymentId,
            approval.Commit,
            approval.Evidence.GetValueOrDefault(ApprovalEvidence.LogTail)?.Split('\n') ?? [],
            details);
    }

    private static string ExpiryTimer(string approvalId) => $"approval:{approvalId}";

    private void ScheduleExpiry(ApprovalRequested approval)
    {
        var left = approval.At + _approvals.Timeout - Now;
        Timers.StartSingleTimer(ExpiryTimer(approval.ApprovalId), new ExpireApproval(approval.ApprovalId), left > TimeSpan.Zero ? left : TimeSpan.Zero);
    }

    private void OnDecideApproval(DecideApproval decide)
    {
        if (!_world.Approvals.TryGetValue(decide.ApprovalId, out var approval))
        {
            Sender.Tell(new ControlAck(false, _world.ClosedApproval(decide.ApprovalId) is { } closed
                ? $"approval {decide.ApprovalId} was already {closed}; nothing changed"
                : $"no pending approval {decide.ApprovalId}"));
            return;
        }

        var replyTo = Sender;
        var outcome = DecideOn(approval, decide.Approve, decide.By, decide.Channel, _world.ApprovalMessage(approval.ApprovalId), callbackQueryId: null);
        Effect(() => replyTo.Tell(new ControlAck(true, outcome)));
    }

    /// <summary>
    /// Records the first decision on a pending approval and, when approved, the action exactly as the policy would have
    /// requested it — unless paused (recorded, not acted on) or in dry-run (a dry-run decision). Then answers the press
    /// and edits the approval's message, if there are any. Returns what happened, for the one who decided.
    /// </summary>
    private string DecideOn(ApprovalRequested approval, bool approve, string by, string channel, string? messageRef, string? callbackQueryId)
    {
        var id = approval.ApprovalId;
        Record(new ApprovalDecided(id, approve, by, channel, Now));
        Effect(() => Timers.Cancel(ExpiryTimer(id)));
        var situation = SituationOf(approval);
        string outcome;
        if (!approve)
        {
            outcome = $"approval {id} rejected by {by}: {approval.Action} of {approval.Service} not done";
        }
        else if (_world.Paused)
        {
            outcome = $"approval {id} approved by {by}, but the autopilot is paused: recorded, {approval.Action} not executed";
            Record(Decision(situation, [], outcome));
        }
        else if (_world.DryRun)
        {
            outcome = $"approval {id} approved by {by}; dry-run: {approval.Action} recorded, not executed";
            Record(Decision(situation, [approval.Action], outcome, dryRun: true));
        }
        else
        {
            outcome = $"approval {id} approved by {by}: {approval.Action} of {approval.Service} requested";
            Record(Decision(situation, [approval.Action], $"approval {id} approved by {by} ({channel})"), () => Act(situation, [approval.Action], approvedBy: id));
        }

        AnswerApprovers(approval.Service, id, callbackQueryId, outcome, messageRef,
            ApprovalText.Closed(approval, _approvals.Timeout, approve ? $"✅ Approved by {by} ({channel})" : $"❌ Rejected by {by} ({channel})"));
        return outcome;
    }

    private void OnExpireApproval(ExpireApproval expire)
    {
        if (!_world.Approvals.TryGetValue(expire.ApprovalId, out var approval))
        {
            return; // decided meanwhile
        }

        var messageRef = _world.ApprovalMessage(approval.ApprovalId);
        Record(new ApprovalExpired(approval.ApprovalId, Now));
        RequestAlert(new RaiseAlert(AlertSeverity.Warning,
            $"{approval.Service}: approval of {approval.Action} expired, nothing done",
            $"Nobody approved or rejected {approval.Action} of {approval.Service} (approval {approval.ApprovalId}) within {_approvals.Timeout}; it was not done.\n"
            + $"Why a human was asked: {approval.Reason}",
            $"{approval.Service}:approval-expired",
            approval.Service));
        AnswerApprovers(approval.Service, approval.ApprovalId, null, null, messageRef,
            ApprovalText.Closed(approval, _approvals.Timeout, $"⌛ Expired after {_approvals.Timeout}: nothing done"));
    }

    /// <summary>
    /// A Telegram update from the intake: a press of an approval button. Only users on the allow-list decide; anyone
    /// else is told so and recorded as a security event. Every press is answered (a recorded action of the alerts worker).
    /// </summary>
    private void OnTelegramUpdate(ExternalEvent update)
    {
        var queryId = update.Text("callback_query", "id");
        if (queryId is null)
        {
            Context.GetLogger().Debug($"Telegram update {update.DeliveryId} is not a button press; nothing to do.");
            return;
        }

        var data = update.Text("callback_query", "data");
        var userId = update.Text("callback_query", "from", "id");
        var username = update.Text("callback_query", "from", "username");
        var who = username is { Length: > 0 } ? $"@{username} (telegram:{userId})" : $"telegram:{userId}";
        var button = ApprovalButtons.Parse(data);
        var pending = button is { } b ? _world.Approvals.GetValueOrDefault(b.ApprovalId) : null;
        var service = pending?.Service ?? "autopilot";
        if (!long.TryParse(userId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var user)
            || !_approvals.TelegramApprovers.Contains(user))
        {
            Record(new SecurityEventRecorded("approval-not-allowed", ExternalEventSources.Telegram,
                $"Telegram user {who} pressed \"{data}\" but is not on autopilot.platforms.telegram.approvers; nothing decided", Now));
            AnswerApprovers(service, button?.ApprovalId, queryId, "You are not allowed to decide autopilot approvals.", null, null);
            return;
        }

        if (button is not { } pressed)
        {
            AnswerApprovers(service, null, queryId, "This button is not an autopilot approval.", null, null);
            return;
        }

        if (pending is null)
        {
            AnswerApprovers(service, pressed.ApprovalId, queryId, _world.ClosedApproval(pressed.ApprovalId) is { } outcome
                ? $"Approval {pressed.ApprovalId} was already {outcome}; nothing changed."
                : $"No pending approval {pressed.ApprovalId}.", null, null);
            return;
        }

        var chat = update.Text("callback_query", "message", "chat", "id");
        var message = update.Text("callback_query", "message", "message_id");
        var messageRef = chat is not null && message is not null ? $"{chat}:{message}" : _world.ApprovalMessage(pending.ApprovalId);
        DecideOn(pending, pressed.Approve, who, ApprovalChannels.Telegram, messageRef, queryId);
    }

    /// <summary>Answers a press and/or edits an approval's message: a recorded, fenced action of the alerts worker (nothing when there is neither).</summary>
    private void AnswerApprovers(string service, string? approvalId, string? callbackQueryId, string? callbackText, string? messageRef, string? text)
    {
        if (callbackQueryId is null && messageRef is null)
        {
            return;
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        void Put(string key, string? value)
        {
            if (value is not null)
            {
                parameters[key] = value;
            }
        }

        Put(ActionParameters.ApprovalId, approvalId);
        Put(ActionParameters.CallbackQueryId, callbackQueryId);
        Put(ActionParameters.CallbackText, callbackText is { Length: > 190 } ? callbackText[..190] + "…" : callbackText);
        if (messageRef is not null)
        {
            Put(ActionParameters.MessageRef, messageRef);
            Put(ActionParameters.Body, text);
        }

        Request(WorkerNames.Alerts, PolicyActions.AnswerApproval, new Situation(service, "approval", approvalId ?? "button press", null, null, [], Empty), parameters);
    }

    private string ConfidenceNote(Confidence confidence, IReadOnlyList<string> asking, IReadOnlyList<string> holding)
    {
        var parts = new List<string>();
        if (asking.Count > 0)
        {
            parts.Add($"confidence {confidence.Score} in the review band: approval requested for {string.Join(", ", asking)}, not executed");
        }

        if (holding.Count > 0)
        {
            parts.Add($"confidence {confidence.Score} below review: {string.Join(", ", holding)} recorded, not executed");
        }

        return parts.Count == 0 ? "" : $"; {string.Join("; ", parts)}";
    }

    /// <summary>The confidence of a decision on <paramref name="situation"/> (<see cref="ConfidenceRules"/>).</summary>
    private Confidence ConfidenceOf(Situation situation, bool requestedByOperator = false)
    {
        // The incident was recorded before deciding, so its count includes this occurrence.
        var earlier = Math.Max(0, (_world.OpenIncident(situation.Fingerprint)?.Occurrences ?? 0) - 1);
        return _confidence.Assess(new ConfidenceEvidence(situation.Name, situation.LogTail, earlier, requestedByOperator));
    }

    /// <summary>What a decision on <paramref name="situation"/> rests on, for an approval.</summary>
    private static Dictionary<string, string> EvidenceOf(Situation situation, Confidence confidence)
    {
        var evidence = new Dictionary<string, string>(situation.Details, StringComparer.Ordinal)
        {
            ["situation"] = situation.Name,
            ["evidence"] = situation.Evidence,
            ["confidence"] = confidence.Explain(),
        };
        if (situation.LogTail.Count > 0)
        {
            evidence["log"] = string.Join('\n', situation.LogTail.TakeLast(10));
        }

        return evidence;
    }

    /// <summary>A decision of the orchestrator (with its confidence) or of a human on an approval (<paramref name="confidence"/> null).</summary>
    private Decided Decision(Situation situation, IReadOnlyList<string> actions, string reason, Confidence? confidence = null, bool dryRun = false) =>
        new(situation.Service, situation.Name, actions, reason, dryRun, situation.DeploymentId, situation.Commit, Now, confidence?.Score);

    private void AlertBudgetOnce(Situation situation)
    {
        if (_world.BudgetAlertedSince(situation.Service, BudgetSince))
        {
            return;
        }

        Record(new AutopilotModeChanged(ModeChanges.BudgetExhausted, "budget", Now, situation.Service), () => RequestAlert(new RaiseAlert(
            AlertSeverity.Critical,
            $"Autopilot stopped acting on {situation.Service}: action budget exhausted",
            $"{_settings.MaxActionsPerService} production changes within {_settings.BudgetWindow} did not fix {situation.Service}. "
            + $"Latest situation: {situation.Name} ({situation.Evidence}). No further autonomous actions on it until the window passes; a human is needed.",
            $"{situation.Service}:budget-exhausted",
            situation.Service)));
    }

    // ---- act ----

    /// <summary>Carries out decided actions, each through the worker (or the readiness gate) that performs it.</summary>
    /// <param name="situation">What the actions answer.</param>
    /// <param name="actions">The decided actions, in policy order.</param>
    /// <param name="approvedBy">The approval a human granted these actions under, if any: a deploy then still goes through
    /// the readiness gate (NO-GO, pause and dry-run still stop it) but not again through what the human already overruled
    /// (a WARNING, the confidence band, the budget).</param>
    private void Act(Situation situation, IReadOnlyList<string> actions, string? approvedBy = null)
    {
        foreach (var action in actions)
        {
            switch (action)
            {
                case PolicyActions.AlertInfo:
                    RequestAlert(new RaiseAlert(AlertSeverity.Info, TitleOf(situation), BodyOf(situation), situation.Fingerprint, situation.Service), situation);
                    break;
                case PolicyActions.AlertWarning:
                    RequestAlert(new RaiseAlert(AlertSeverity.Warning, TitleOf(situation), BodyOf(situation), situation.Fingerprint, situation.Service), situation);
                    break;
                case PolicyActions.AlertCritical:
                    RequestAlert(new RaiseAlert(AlertSeverity.Critical, TitleOf(situation), BodyOf(situation), situation.Fingerprint, situation.Service), situation);
                    break;
                case PolicyActions.RecommendScaleUp:
                    RequestAlert(new RaiseAlert(AlertSeverity.Critical,
                        $"{situation.Service} ran out of memory: scale up recommended",
                        $"Recommendation: raise the memory limit (or replicas) of {situation.Service}; restarting would only crash it again.\n\n{BodyOf(situation)}",
                        situation.Fingerprint, situation.Service), situation, action);
                    break;
                case PolicyActions.Deploy when situation.Commit is not null:
                    AssessBeforeDeploy(situation, approvedBy);
                    break;
                case PolicyActions.Rollback:
                case PolicyActions.Restart when situation.DeploymentId is not null:
                    Request(WorkerNames.Railway, action, situation);
                    break;
                case PolicyActions.OpenIssue:
                    Request(WorkerNames.GitHub, action, situation, new Dictionary<string, string>
                    {
                        [ActionParameters.Fingerprint] = situation.Fingerprint,
                        [ActionParameters.Title] = TitleOf(situation),
                        [ActionParameters.Body] = BodyOf(situation),
                    });
                    break;
                case PolicyActions.CheckDependencies:
                    var dependencies = _railway.Find(situation.Service)?.DependsOn ?? [];
                    if (dependencies.Count == 0)
                    {
                        // Nothing to blame but the service itself: treat it as the transient crash it then is.
                        Situate(situation with { Name = Situations.CrashedTransient, Evidence = $"{situation.Evidence} (no dependencies configured)" });
                    }
                    else
                    {
                        Request(WorkerNames.Health, action, situation, new Dictionary<string, string> { [ActionParameters.Dependencies] = string.Join(',', dependencies) });
                    }

                    break;
                case PolicyActions.Redeploy when situation.Details.ContainsKey(ActionParameters.Target):
                    Request(WorkerNames.Health, action, situation);
                    break;
                case PolicyActions.RecoverWorkflow when situation.Details.ContainsKey(ActionParameters.WorkflowId) && situation.Details.ContainsKey(ActionParameters.ExecutionId):
                    Request(WorkerNames.N8n, action, situation);
                    break;
                case PolicyActions.Migrate when situation.Details.TryGetValue(ActionParameters.MigrationTarget, out var target):
                    Request(MigrationsWorker.WorkerName(target), action, situation);
                    break;
                default:
                    Context.GetLogger().Warning($"Action {action} does not apply to situation {situation.Name} of {situation.Service}; skipped.");
                    break;
            }
        }
    }

    // ---- readiness gate ----

    /// <summary>A deploy the policy and the rails allow goes to the readiness gate first; what follows depends on its decision.</summary>
    private void AssessBeforeDeploy(Situation situation, string? approvedBy = null)
    {
        var parameters = new Dictionary<string, string>
        {
            [ActionParameters.Purpose] = ReadinessPurposes.Deploy,
            [ActionParameters.LastGoodDeployment] = _world.LastGoodDeployment(situation.Service) ?? "",
        };
        if (approvedBy is not null)
        {
            parameters[ActionParameters.ApprovalId] = approvedBy;
        }

        Request(WorkerNames.Readiness, PolicyActions.AssessReadiness, situation, parameters);
    }

    private void OnAssessReadiness(AssessReadiness assess)
    {
        if (_railway.Find(assess.Service) is not { } service)
        {
            Sender.Tell(new ControlAck(false, $"unknown service \"{assess.Service}\""));
            return;
        }

        if (service.Repository is null)
        {
            Sender.Tell(new ControlAck(false, $"service {assess.Service} has no repository configured: nothing to assess"));
            return;
        }

        if (string.IsNullOrWhiteSpace(assess.Commit))
        {
            Sender.Tell(new ControlAck(false, "no commit given"));
            return;
        }

        var commit = assess.Commit.Trim();
        var situation = new Situation(assess.Service, "readiness-requested", $"readiness of {Short(commit)} asked for", null, commit, [], Empty);
        var requested = Request(WorkerNames.Readiness, PolicyActions.AssessReadiness, situation, new Dictionary<string, string>
        {
            [ActionParameters.Purpose] = ReadinessPurposes.OnDemand,
            [ActionParameters.LastGoodDeployment] = _world.LastGoodDeployment(assess.Service) ?? "",
        });
        if (requested is not null)
        {
            _readinessCallers[requested.ActionId] = Sender;
        }
    }

    /// <summary>
    /// The gate's answer: the reads are closed as an action, the assessment recorded as ONE <see cref="ReadinessAssessed"/>,
    /// and — for a deploy, not for an on-demand assessment — the decision follows from it, within the rails: GO deploys,
    /// WARNING deploys only where allowed (with a WARNING alert) and otherwise asks a human, NO-GO never deploys, alerts
    /// and comments on the commit. A deploy also needs its confidence at or above the act threshold of <c>deploy</c>.
    /// </summary>
    private void OnReadinessReport(ReadinessReport report)
    {
        if (!_world.Pending.TryGetValue(report.ActionId, out var requested))
        {
            return; // answered before (a request sent again after a restart), or closed as failed meanwhile
        }

        _awaiting.Remove(report.ActionId, out var awaited);
        var situation = awaited ?? SituationOf(requested);
        var decision = ReadinessDecisions.Of(report.Checks);
        var confidence = _confidence.Assess(report.Checks);
        var failed = report.Checks.Where(c => !c.Passed).Select(c => c.Name).ToArray();
        var assessed = new ReadinessAssessed(requested.Service, requested.Commit ?? "", decision, report.Checks, Now, confidence.Score);
        Record(new ActionCompleted(report.ActionId,
            $"{decision}: {(failed.Length == 0 ? $"all {report.Checks.Count} checks passed" : $"failed {string.Join(", ", failed)}")}",
            requested.Worker, requested.Service, Now));
        Record(assessed);

        if (requested.Parameters.GetValueOrDefault(ActionParameters.Purpose) == ReadinessPurposes.OnDemand)
        {
            if (_readinessCallers.Remove(report.ActionId, out var caller))
            {
                Effect(() => caller.Tell(assessed));
            }

            return;
        }

        var summary = $"readiness {decision} ({report.Checks.Count - failed.Length} of {report.Checks.Count} checks passed{(failed.Length == 0 ? "" : $"; failed: {string.Join(", ", failed)}")})";
        var allowed = decision == ReadinessDecisions.Go
                      || (decision == ReadinessDecisions.Warning && _readiness.AllowsWarningDeploys(requested.Service));
        // What the gate's decision asks for, before the rails.
        IReadOnlyList<string> would = decision switch
        {
            ReadinessDecisions.NoGo => [PolicyActions.AlertWarning, PolicyActions.CommentCommit],
            ReadinessDecisions.Warning when allowed => [PolicyActions.Deploy, PolicyActions.AlertWarning],
            ReadinessDecisions.Warning => [],
            _ => [PolicyActions.Deploy],
        };

        // Pause and dry-run win here too: the gate may have run while an operator paused the autopilot.
        if (_world.Paused)
        {
            Record(Decision(situation, [], $"{summary}; autopilot paused; would: {(would.Count == 0 ? "ask a human" : string.Join(", ", would))}", confidence));
            return;
        }

        if (_world.DryRun)
        {
            Record(Decision(situation, would, $"{summary}; dry-run: recorded, not executed", confidence, dryRun: true));
            return;
        }

        if (decision == ReadinessDecisions.NoGo)
        {
            Record(Decision(situation, would, $"{summary}: not deployed", confidence), () =>
            {
                var body = ReadinessBody(assessed);
                RequestAlert(new RaiseAlert(AlertSeverity.Warning,
                    $"{requested.Service}: {Short(assessed.Commit)} not deployed: readiness NO-GO ({string.Join(", ", failed)})",
                    body, $"{requested.Service}:readiness-no-go", requested.Service), situation);
                Request(WorkerNames.GitHub, PolicyActions.CommentCommit, situation, new Dictionary<string, string> { [ActionParameters.Body] = body });
            });
            return;
        }

        // A human approved this deploy (a WARNING, its confidence or the budget): only NO-GO, pause and dry-run stop it now.
        var approval = requested.Parameters.GetValueOrDefault(ActionParameters.ApprovalId);
        if (!allowed && approval is null)
        {
            // WARNING where policy does not allow WARNING deploys: a human decides.
            Record(Decision(situation, [], $"{summary}: WARNING deploys are not allowed for {requested.Service}; approval requested, not deployed", confidence),
                () => RequestHumanApproval(situation, PolicyActions.Deploy,
                    $"readiness WARNING ({string.Join(", ", failed)} failed) and WARNING deploys are not allowed for {requested.Service}",
                    confidence.Score, ReadinessEvidence(assessed)));
            return;
        }

        switch (approval is null ? _confidence.Band(PolicyActions.Deploy, confidence.Score) : ConfidenceBand.Act)
        {
            case ConfidenceBand.Review:
                Record(Decision(situation, [], $"{summary}; confidence {confidence.Score} in the review band of deploy: approval requested, not deployed", confidence),
                    () => RequestHumanApproval(situation, PolicyActions.Deploy, $"readiness {decision} but confidence {confidence.Score} is in the review band of deploy",
                        confidence.Score, ReadinessEvidence(assessed)));
                return;
            case ConfidenceBand.Record:
                Record(Decision(situation, [], $"{summary}; confidence {confidence.Score} below review: recorded, not deployed", confidence));
                return;
        }

        var used = _world.ActionsInWindow(requested.Service, BudgetSince);
        if (approval is null && used + 1 > _settings.MaxActionsPerService)
        {
            Record(Decision(situation, [], $"{summary}; action budget exhausted ({used} of {_settings.MaxActionsPerService} per {_settings.BudgetWindow}): not deployed", confidence),
                () => AlertBudgetOnce(situation));
            return;
        }

        Record(Decision(situation, would, summary, confidence), () =>
        {
            Request(WorkerNames.Railway, PolicyActions.Deploy, situation);
            if (decision == ReadinessDecisions.Warning)
            {
                RequestAlert(new RaiseAlert(AlertSeverity.Warning,
                    $"{requested.Service}: deploying {Short(assessed.Commit)} with readiness WARNING ({string.Join(", ", failed)})",
                    $"WARNING deploys are allowed for {requested.Service}, so the commit is deployed although {string.Join(", ", failed)} failed.\n\n{ReadinessBody(assessed)}",
                    $"{requested.Service}:readiness-warning", requested.Service), situation);
            }
        });
    }

    /// <summary>The situation a recorded request was made for, rebuilt from the request (after a restart the in-memory one is gone).</summary>
    private static Situation SituationOf(ActionRequested requested) => new(
        requested.Service,
        requested.Parameters.GetValueOrDefault("situation") ?? Situations.ChecksPassed,
        $"checks of {Short(requested.Commit)} passed",
        requested.DeploymentId,
        requested.Commit,
        [],
        Empty);

    private static Dictionary<string, string> ReadinessEvidence(ReadinessAssessed assessed)
    {
        var evidence = new Dictionary<string, string>(StringComparer.Ordinal) { ["readiness"] = assessed.Decision };
        foreach (var check in assessed.Checks)
        {
            evidence[$"check {check.Name}"] = $"{(check.Passed ? "passed" : "FAILED")}: {check.Details}";
        }

        return evidence;
    }

    /// <summary>The assessment for humans (the NO-GO alert and commit comment): every check, failed ones first, with evidence.</summary>
    private static string ReadinessBody(ReadinessAssessed assessed)
    {
        var lines = new List<string>
        {
            $"Readiness of {assessed.Commit} for {assessed.Service}: {assessed.Decision}" + (assessed.Confidence is { } c ? $" (confidence {c})" : ""),
            "",
        };
        foreach (var check in assessed.Checks.OrderBy(c => c.Passed))
        {
            lines.Add($"- {(check.Passed ? "passed" : "FAILED")} {check.Name}: {check.Details}");
            lines.AddRange(check.Evidence.Select(e => $"  - {e.Key}: {e.Value}"));
        }

        if (assessed.Decision == ReadinessDecisions.NoGo)
        {
            lines.Add("");
            lines.Add("The autopilot did not deploy this commit.");
        }

        return string.Join('\n', lines);
    }

    /// <summary>
    /// Records the request of <paramref name="action"/> with what its worker needs, and sends it once recorded; null when
    /// the unit is dropped (the fence was not held).
    /// </summary>
    private ActionRequested? Request(string worker, string action, Situation situation, IReadOnlyDictionary<string, string>? extra = null)
    {
        if (_fenceRefusal is not null)
        {
            return null; // this unit is dropped already
        }

        // Taken when the request is recorded: a node that lost its lease must not record an action as if it would run.
        var fence = _fence.Check();
        if (!fence.Held)
        {
            _fenceRefusal = ActionFence.ErrorFor($"{action} of {situation.Service} ({situation.Name})", fence);
            return null;
        }

        var actionId = $"{action}-{Guid.NewGuid():N}"[..(action.Length + 13)];
        var parameters = new Dictionary<string, string>(situation.Details, StringComparer.Ordinal) { ["situation"] = situation.Name };
        foreach (var (key, value) in extra ?? Empty)
        {
            parameters[key] = value;
        }

        _awaiting[actionId] = situation;
        var requested = new ActionRequested(actionId, worker, action, situation.Service, parameters, situation.DeploymentId, situation.Commit, Now, fence.Token);
        Record(requested);
        Effect(() => Dispatch(requested));
        return requested;
    }

    /// <summary>An alert is an action of the alerts worker: recorded before it is handed over, deduplicated there by action id.</summary>
    private void RequestAlert(RaiseAlert alert, Situation? situation = null, string? action = null)
    {
        var subject = situation ?? new Situation(alert.Service ?? "autopilot", "alert", alert.Title, null, null, [], Empty);
        action ??= alert.Severity switch
        {
            AlertSeverity.Critical => PolicyActions.AlertCritical,
            AlertSeverity.Warning => PolicyActions.AlertWarning,
            _ => PolicyActions.AlertInfo,
        };
        Request(WorkerNames.Alerts, action, subject, new Dictionary<string, string>
        {
            [ActionParameters.Severity] = alert.Severity.ToString(),
            [ActionParameters.Fingerprint] = alert.Fingerprint,
            [ActionParameters.Title] = alert.Title,
            [ActionParameters.Body] = alert.Body,
        });
    }

    /// <summary>Sends the worker command a recorded request stands for (first time, or again after recovery when idempotent).</summary>
    private void Dispatch(ActionRequested requested)
    {
        var target = Worker(requested.Worker);
        if (target.Equals(Nobody.Instance))
        {
            Self.Tell(new WorkerResult(requested.ActionId, false, Error: $"no {requested.Worker} worker is running"));
            return;
        }

        target.Tell(CommandFor(requested), Self);
    }

    private object CommandFor(ActionRequested r)
    {
        string Parameter(string key) => r.Parameters.TryGetValue(key, out var value) ? value : "";
        return r.Action switch
        {
            PolicyActions.Deploy => new DeployCommit(r.ActionId, r.Service, r.Commit!),
            PolicyActions.Rollback => new RollbackService(r.ActionId, r.Service, r.DeploymentId),
            PolicyActions.Restart => new RestartDeployment(r.ActionId, r.Service, r.DeploymentId!),
            PolicyActions.OpenIssue => new OpenIncidentIssue(r.ActionId, _railway.Find(r.Service)?.Repository,
                Parameter(ActionParameters.Fingerprint), Parameter(ActionParameters.Title), Parameter(ActionParameters.Body)),
            PolicyActions.CheckDependencies => new CheckHealth(r.ActionId, Parameter(ActionParameters.Dependencies).Split(',', StringSplitOptions.RemoveEmptyEntries)),
            PolicyActions.Redeploy => new RedeployTarget(r.ActionId, Parameter(ActionParameters.Target)),
            PolicyActions.RecoverWorkflow => new RecoverWorkflow(r.ActionId, Parameter(ActionParameters.WorkflowId), Parameter(ActionParameters.ExecutionId)),
            PolicyActions.Migrate => new ApplyMigrations(r.ActionId, Parameter(ActionParameters.MigrationTarget), r.Commit, Parameter(ActionParameters.MigrationDryRun) == "true",
                r.Parameters.GetValueOrDefault(ActionParameters.Destructive)),
            PolicyActions.AssessReadiness => new AssessCommit(r.ActionId, r.Service, _railway.Find(r.Service)?.Repository, r.Commit!,
                r.Parameters.TryGetValue(ActionParameters.LastGoodDeployment, out var lastGood) && lastGood.Length > 0 ? lastGood : null),
            PolicyActions.CommentCommit => new CommentOnCommit(r.ActionId, _railway.Find(r.Service)?.Repository, r.Commit!, Parameter(ActionParameters.Body)),
            PolicyActions.RequestApproval => new NotifyApproval(r.ActionId, Parameter(ActionParameters.ApprovalId), Parameter(ActionParameters.Body)),
            PolicyActions.AnswerApproval => new AnswerApproval(r.ActionId, r.Parameters.GetValueOrDefault(ActionParameters.CallbackQueryId),
                r.Parameters.GetValueOrDefault(ActionParameters.CallbackText), r.Parameters.GetValueOrDefault(ActionParameters.MessageRef),
                r.Parameters.GetValueOrDefault(ActionParameters.Body)),
            _ when r.Worker == WorkerNames.Alerts => new RaiseAlert(Enum.Parse<AlertSeverity>(Parameter(ActionParameters.Severity)),
                Parameter(ActionParameters.Title), Parameter(ActionParameters.Body), Parameter(ActionParameters.Fingerprint), r.Service, r.ActionId),
            _ => throw new InvalidOperationException($"Recorded action {r.Action} of {r.Worker} has no command."),
        };
    }

    private void OnResult(WorkerResult result)
    {
        if (!_world.Pending.TryGetValue(result.ActionId, out var requested))
        {
            return;
        }

        _awaiting.Remove(result.ActionId, out var situation);
        IAuditEvent outcome = result.Success
            ? new ActionCompleted(result.ActionId, result.Detail ?? "done", requested.Worker, requested.Service, Now)
            : new ActionFailed(result.ActionId, result.Error ?? result.Detail ?? "failed", requested.Worker, requested.Service, Now);
        Record(outcome, () => FollowUp(requested, result, situation));
        if (requested.Parameters.GetValueOrDefault(ActionParameters.TaskId) is { } taskId)
        {
            var settled = new TaskActionSettled(taskId, result.ActionId, result.Success, result.Success ? result.Detail ?? "done" : result.Error ?? result.Detail ?? "failed");
            Effect(() => Context.Child(TaskQueue.Name).Tell(settled, Self));
        }
    }

    private void FollowUp(ActionRequested requested, WorkerResult result, Situation? situation)
    {
        switch (requested.Action)
        {
            case PolicyActions.CheckDependencies when situation is not null:
                // A failed check names the unhealthy dependencies in Detail; a check that could not run (Error only) proves
                // nothing, so the crash is then treated as the service's own: one bounded restart.
                Situate(!result.Success && result.Detail is { } unhealthy
                    ? situation with { Name = Situations.DependencyDown, Evidence = unhealthy }
                    : situation with
                    {
                        Name = Situations.CrashedTransient,
                        Evidence = $"{situation.Evidence} ({(result.Success ? "dependencies healthy" : $"dependency check failed: {result.Error}")})",
                    });
                break;
            case PolicyActions.OpenIssue when result.Success && situation is not null && _world.OpenIncident(situation.Fingerprint) is { } incident:
                Record(new IncidentUpdated(incident.IncidentId, IncidentChanges.IssueLinked, result.Detail ?? "", Now));
                break;
            case PolicyActions.AssessReadiness when requested.Parameters.GetValueOrDefault(ActionParameters.Purpose) == ReadinessPurposes.OnDemand:
                if (_readinessCallers.Remove(requested.ActionId, out var caller))
                {
                    Effect(() => caller.Tell(new ControlAck(false, $"readiness gate failed: {result.Error ?? result.Detail}")));
                }

                break;
            case PolicyActions.AssessReadiness:
                // No assessment, no deploy: the gate could not run (its worker failed or is missing).
                var subject = situation ?? SituationOf(requested);
                RequestAlert(new RaiseAlert(AlertSeverity.Warning,
                    $"{requested.Service}: {Short(requested.Commit)} not deployed: the readiness gate did not run",
                    $"The readiness gate failed ({result.Error ?? result.Detail ?? "unknown error"}), so the commit was not deployed.\n\n{BodyOf(subject)}",
                    $"{requested.Service}:readiness", requested.Service), subject);
                break;
            case PolicyActions.Migrate when _settledByWorker.Remove(requested.ActionId):
                break;
            case PolicyActions.Migrate when _migrationCallers.Remove(requested.ActionId, out var asked):
                // An operator's dry-run: the plan goes back to the caller; nothing happened, nothing to alert.
                Effect(() => asked.Tell(new ControlAck(result.Success, result.Success ? result.Detail ?? "" : result.Error ?? result.Detail ?? "failed")));
                break;
            case PolicyActions.Migrate when requested.Parameters.GetValueOrDefault(ActionParameters.MigrationDryRun) == "true":
                break;
            case PolicyActions.Migrate when result.Success:
                if (result.Detail?.StartsWith(MigrationsWorker.UpToDate, StringComparison.Ordinal) != true)
                {
                    Situate((situation ?? SituationOf(requested)) with { Name = Situations.MigrationSucceeded, Evidence = result.Detail ?? "applied" });
                }

                break;
            case PolicyActions.Migrate:
                Situate((situation ?? SituationOf(requested)) with { Name = Situations.MigrationFailed, Evidence = result.Error ?? result.Detail ?? "migration failed" });
                break;
            case PolicyActions.Rollback when !result.Success:
                Situate(new Situation(requested.Service, Situations.RollbackFailed, result.Error ?? "rollback failed", requested.DeploymentId, requested.Commit, [], Empty));
                break;
        }
    }

    // ---- control ----

    private void ChangeMode(bool alreadyThere, string change, string by, string message)
    {
        if (alreadyThere)
        {
            Sender.Tell(new ControlAck(true, $"{message} (no change)"));
            return;
        }

        var replyTo = Sender;
        Record(new AutopilotModeChanged(change, by, Now));
        Effect(() => replyTo.Tell(new ControlAck(true, message)));
    }

    private void OnRequestRollback(RequestRollback request)
    {
        if (_railway.Find(request.Service) is null)
        {
            Sender.Tell(new ControlAck(false, $"unknown service \"{request.Service}\""));
            return;
        }

        if (_world.Paused)
        {
            Sender.Tell(new ControlAck(false, "autopilot is paused; resume it first"));
            return;
        }

        var situation = new Situation(request.Service, "rollback-requested", $"requested by {request.RequestedBy}", _world.CurrentDeployment(request.Service), null, [], Empty);
        var replyTo = Sender;
        if (_world.DryRun)
        {
            Record(Decision(situation, [PolicyActions.Rollback], $"requested by {request.RequestedBy}; dry-run: recorded, not executed", ConfidenceOf(situation, true), dryRun: true));
            Effect(() => replyTo.Tell(new ControlAck(true, "dry-run: rollback recorded, not executed")));
            return;
        }

        var used = _world.ActionsInWindow(request.Service, BudgetSince);
        if (used + 1 > _settings.MaxActionsPerService)
        {
            Sender.Tell(new ControlAck(false, $"action budget of {request.Service} exhausted ({used} of {_settings.MaxActionsPerService})"));
            return;
        }

        Record(Decision(situation, [PolicyActions.Rollback], $"requested by {request.RequestedBy}", ConfidenceOf(situation, true)), () => Act(situation, [PolicyActions.Rollback]));
        Effect(() => replyTo.Tell(new ControlAck(true, $"rollback of {request.Service} requested")));
    }

    /// <summary>
    /// An operator task's production change, through the same rails as <see cref="OnRequestRollback"/>: refused when the
    /// service is unknown, the autopilot paused or another action on the service is still in flight (one at a time);
    /// recorded only in dry-run; over the budget put to a human as an approval; otherwise decided and requested with
    /// the task's id among its parameters, so its result is handed back to the queue (<see cref="OnResult"/>).
    /// </summary>
    private void OnRunTaskAction(RunTaskAction run)
    {
        var replyTo = Sender;
        void Refuse(string why) => replyTo.Tell(new TaskActionAnswer(run.TaskId, TaskActionOutcomes.Refused, why));
        if (run.Worker == WorkerNames.Railway && _railway.Find(run.Service) is null)
        {
            Refuse($"unknown service \"{run.Service}\"");
            return;
        }

        if (run.Action == PolicyActions.Migrate && MigrationTargetOf(run.Parameters.GetValueOrDefault(ActionParameters.MigrationTarget) ?? "") is null)
        {
            Refuse($"unknown migration target \"{run.Parameters.GetValueOrDefault(ActionParameters.MigrationTarget)}\"");
            return;
        }

        if (_world.Paused)
        {
            Refuse("autopilot is paused; resume it first");
            return;
        }

        if (_world.Pending.Values.FirstOrDefault(p => p.Service == run.Service && PolicyActions.IsMutating(p.Action)) is { } busy)
        {
            Refuse($"{busy.Action} {busy.ActionId} on {run.Service} is still in flight: one action per service at a time");
            return;
        }

        var deployment = _world.CurrentDeployment(run.Service);
        if (run.Action == PolicyActions.Restart && deployment is null)
        {
            Refuse($"no current deployment of {run.Service} is known: nothing to restart");
            return;
        }

        var details = new Dictionary<string, string>(run.Parameters, StringComparer.Ordinal) { [ActionParameters.TaskId] = run.TaskId };
        var situation = new Situation(run.Service, "task-requested", $"task {run.TaskId} ({run.Action}) submitted by {run.RequestedBy}", deployment, null, [], details);
        var confidence = ConfidenceOf(situation, true);
        if (_world.DryRun)
        {
            Record(Decision(situation, [run.Action], $"task {run.TaskId} by {run.RequestedBy}; dry-run: recorded, not executed", confidence, dryRun: true));
            Effect(() => replyTo.Tell(new TaskActionAnswer(run.TaskId, TaskActionOutcomes.DryRun, $"dry-run: {run.Action} of {run.Service} recorded, not executed")));
            return;
        }

        var used = _world.ActionsInWindow(run.Service, BudgetSince);
        if (PolicyActions.IsMutating(run.Action) && used + 1 > _settings.MaxActionsPerService)
        {
            var budget = $"action budget of {run.Service} exhausted ({used} of {_settings.MaxActionsPerService} per {_settings.BudgetWindow})";
            Record(Decision(situation, [], $"task {run.TaskId} by {run.RequestedBy}: {budget}; approval requested for {run.Action}", confidence),
                () => RequestHumanApproval(situation, run.Action, $"{budget}: task {run.TaskId} of {run.RequestedBy} asks for {run.Action}", confidence.Score));
            Effect(() => replyTo.Tell(new TaskActionAnswer(run.TaskId, TaskActionOutcomes.NeedsApproval,
                $"{budget}: a human must approve {run.Action} of {run.Service} (autopilot approvals)")));
            return;
        }

        Record(Decision(situation, [run.Action], $"task {run.TaskId} requested by {run.RequestedBy}", confidence));
        if (Request(run.Worker, run.Action, situation) is { } requested)
        {
            Effect(() => replyTo.Tell(new TaskActionAnswer(run.TaskId, TaskActionOutcomes.Requested, $"{run.Action} {requested.ActionId} requested", requested.ActionId)));
        }
    }

    private void OnDrill(RunDrill drill)
    {
        if (!Situations.All.Contains(drill.Scenario))
        {
            Sender.Tell(new ControlAck(false, $"unknown scenario \"{drill.Scenario}\"; known: {string.Join(", ", Situations.All.Order())}"));
            return;
        }

        var planned = _policy.ActionsFor(drill.Scenario);
        var situation = new Situation("drill", drill.Scenario, "drill", null, null, [], Empty);
        var replyTo = Sender;
        Record(new Oriented(situation.Service, situation.Name, "drill", null, null, Now));
        Record(Decision(situation, planned, "drill: recorded, not executed", ConfidenceOf(situation), dryRun: true));
        Effect(() => replyTo.Tell(new ControlAck(true, $"drill {drill.Scenario}: would {(planned.Count == 0 ? "do nothing" : string.Join(", ", planned))}")));
    }

    private void OnRunMigrations(RunMigrations run)
    {
        if (MigrationTargetOf(run.Target) is not { } target)
        {
            var known = string.Join(", ", MigrationTargets.Select(t => t.Name).Order(StringComparer.Ordinal));
            Sender.Tell(new ControlAck(false, $"unknown migration target \"{run.Target}\"; known: {(known.Length == 0 ? "none configured" : known)}"));
            return;
        }

        var replyTo = Sender;
        var worker = MigrationsWorker.WorkerName(target.Name);
        if (run.DryRun)
        {
            // Reads only, so it runs while paused or in dry-run too, costs no budget, and is answered with the plan.
            var situation = new Situation(target.Service, "migrate-dry-run", $"dry-run requested by {run.RequestedBy}", null, null, [],
                new Dictionary<string, string> { [ActionParameters.MigrationTarget] = target.Name });
            if (Request(worker, PolicyActions.Migrate, situation, new Dictionary<string, string> { [ActionParameters.MigrationDryRun] = "true" }) is { } requested)
            {
                _migrationCallers[requested.ActionId] = replyTo;
            }

            return;
        }

        // The worker reads what is pending and reports it; the policy then decides as for a push (pause, dry-run, budget,
        // approval for destructive statements), so an operator's request takes no shortcut around the rails.
        Record(new Observed("operator", ObservationKinds.MigrationRequested, $"migration of {target.Name} requested by {run.RequestedBy}", target.Service, null, null, Now));
        Effect(() =>
        {
            Worker(worker).Tell(new CheckMigrations(null, "operator"), Self);
            replyTo.Tell(new ControlAck(true,
                $"migration of {target.Name} requested: pending files at {target.Branch} are applied under the policy (backup, one transaction per file, verification, "
                + "restore on failure); the outcome is alerted and in the audit log"));
        });
    }

    private void OnAcknowledge(AcknowledgeIncident acknowledge)
    {
        var incident = _world.OpenIncidentById(acknowledge.IncidentId);
        if (incident is null)
        {
            Sender.Tell(new ControlAck(false, $"no open incident {acknowledge.IncidentId}"));
            return;
        }

        var replyTo = Sender;
        Record(new IncidentUpdated(incident.IncidentId, IncidentChanges.Acknowledged, acknowledge.By, Now));
        Effect(() => replyTo.Tell(new ControlAck(true, $"incident {incident.IncidentId} acknowledged by {acknowledge.By}")));
    }

    // ---- helpers ----

    /// <summary>Adds <paramref name="event"/> to the current unit of work and applies it; <paramref name="then"/> continues the unit.</summary>
    private void Record(IAuditEvent @event, Action? then = null)
    {
        _world.Apply(@event);
        _unit.Add(@event);
        then?.Invoke();
    }

    /// <summary>Runs <paramref name="effect"/> (a message to a worker or a caller) once the unit's events are durable.</summary>
    private void Effect(Action effect) => _effects.Add(effect);

    /// <summary>
    /// Registers a command handled as one unit of work (see the remarks on the class): Akka's <c>Command&lt;T&gt;</c> with
    /// the unit flushed (<see cref="Commit"/>) right after the handler returns.
    /// </summary>
    private void Handle<T>(Action<T> handler) => Command<T>(message =>
    {
        handler(message);
        Commit();
    });

    /// <summary>
    /// Writes the unit's events atomically, then runs its effects; with nothing to write the effects run at once. A unit
    /// that requested an action while the fence was not held is dropped whole and the orchestrator stops (see the class).
    /// </summary>
    private void Commit()
    {
        var effects = _effects.ToArray();
        _effects.Clear();
        if (_fenceRefusal is { } refusal)
        {
            _fenceRefusal = null;
            var dropped = _unit.Count;
            _unit.Clear();
            Context.GetLogger().Warning(
                "{0}. The orchestrator recorded none of the {1} events of this step, told no worker, and stops; the leader holding the lease decides again from the journal.",
                refusal, dropped);
            Context.Stop(Self);
            return;
        }

        if (_unit.Count == 0)
        {
            foreach (var effect in effects)
            {
                effect();
            }

            return;
        }

        var events = _unit.ToArray();
        _unit.Clear();
        var handled = 0;
        PersistAll(events, _ =>
        {
            if (++handled < events.Length)
            {
                return;
            }

            foreach (var effect in effects)
            {
                effect();
            }

            SnapshotIfDue();
        });
    }

    /// <summary>Saves the world model once <see cref="OrchestratorSettings.SnapshotEvery"/> events were journaled since the last snapshot.</summary>
    private void SnapshotIfDue()
    {
        if (_settings.SnapshotEvery > 0 && LastSequenceNr - _snapshotAt >= _settings.SnapshotEvery && _unit.Count == 0)
        {
            // Taken when the unit is durable and no other is open: the model holds exactly the events up to LastSequenceNr.
            _snapshotAt = LastSequenceNr;
            SaveSnapshot(_world.ToSnapshot());
        }
    }

    /// <summary>
    /// The world model already holds the refused events: restart so it is rebuilt from what the journal really has.
    /// </summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        base.OnPersistRejected(cause, @event, sequenceNr);
        // The model already holds the refused events: start again from the journal. Stopping (not throwing) lets the
        // backoff supervisor pause first, so a journal that rejects every write is not hammered by instant restarts.
        Context.GetLogger().Error(cause, $"The journal refused {@event.GetType().Name} #{sequenceNr}; the orchestrator stops and its supervisor starts it again from the journal.");
        Context.Stop(Self);
    }

    private IActorRef Worker(string name) => Context.Child(name);

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    private static string TitleOf(Situation situation) => situation.Name switch
    {
        Situations.DeploySucceeded => $"{situation.Service}: {Short(situation.Commit)} deployed",
        Situations.BuildFailed => $"{situation.Service}: build of {Short(situation.Commit)} failed",
        Situations.RollbackSucceeded => $"{situation.Service}: rollback succeeded",
        Situations.RollbackFailed => $"{situation.Service}: rollback failed",
        _ => $"{situation.Service}: {situation.Name.Replace('-', ' ')}",
    };

    private static string BodyOf(Situation situation)
    {
        var lines = new List<string>
        {
            $"Situation: {situation.Name}",
            $"Evidence: {situation.Evidence}",
        };
        if (situation.DeploymentId is not null) lines.Add($"Deployment: {situation.DeploymentId}");
        if (situation.Commit is not null) lines.Add($"Commit: {situation.Commit}");
        if (situation.LogTail.Count > 0)
        {
            lines.Add("");
            lines.Add("Last log lines:");
            lines.Add("```");
            lines.AddRange(situation.LogTail.TakeLast(20));
            lines.Add("```");
        }

        return string.Join('\n', lines);
    }

    private static string Short(string? commit) => commit is { Length: > 7 } ? commit[..7] : commit ?? "(unknown commit)";

    private static string WireName(DeploymentStatus status) => status switch
    {
        DeploymentStatus.NeedsApproval => "NEEDS_APPROVAL",
        _ => status.ToString().ToUpperInvariant(),
    };
}
