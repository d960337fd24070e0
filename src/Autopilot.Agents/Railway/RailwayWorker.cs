using Akka.Actor;
using Akka.Event;
using Autopilot.Agents.Fencing;
using Autopilot.Agents.Policy;
using Autopilot.Agents.Protocol;
using Autopilot.Platforms.Railway;
using Autopilot.Platforms.Redaction;

namespace Autopilot.Agents.Railway;

/// <summary>
/// The orchestrator's hands and eyes on Railway (child <c>railway</c>). It deploys, rolls back and restarts on
/// command, answering each with one <see cref="WorkerResult"/>; it watches every deployment it touches with a
/// <see cref="DeploymentMonitor"/> child and reports status changes to the orchestrator, reading the build or runtime
/// logs of a FAILED or CRASHED deployment first so the report carries the evidence orient needs.
/// Every change (deploy, rollback, restart) passes the node's <see cref="IActionFence"/> right before its call; a refused
/// change is answered as failed with <see cref="ActionFence.NotHeldError"/>. Reads (observe, reconcile, monitors) are not fenced.
/// </summary>
public sealed class RailwayWorker : ReceiveActor
{
    private readonly IRailwayClient _client;
    private readonly RailwaySettings _settings;
    private readonly Redactor _redactor;
    private readonly IActionFence _fence;
    private readonly ILoggingAdapter _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, IActorRef> _inFlight = new(StringComparer.Ordinal);
    private readonly HashSet<string> _finishingMonitors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WatchDeployment> _deferredWatches = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string DeploymentId, DeploymentStatus Status)> _lastObserved = new(StringComparer.Ordinal);

    /// <summary>Creates the worker; prefer <see cref="Props"/>.</summary>
    public RailwayWorker(IRailwayClient client, RailwaySettings settings, Redactor redactor, IActionFence? fence = null)
    {
        _client = client;
        _settings = settings;
        _redactor = redactor;
        _fence = fence ?? ActionFence.Unfenced;
        _log = Context.GetLogger();

        Receive<DeployCommit>(c => Run(c, c.Service, (service, ct) => DeployAsync(service, c.Commit, ct)));
        Receive<RollbackService>(c => Run(c, c.Service, (service, ct) => RollbackAsync(service, c.BrokenDeploymentId, ct)));
        Receive<RestartDeployment>(c => Run(c, c.Service, (service, ct) => RestartAsync(service, c.DeploymentId, ct)));
        Receive<ReconcileAction>(c => Run(c, c.Service, (service, ct) => ReconcileAsync(service, c, ct)));
        Receive<ObserveServices>(_ => Observe());
        Receive<Observation>(OnObservation);
        Receive<WatchDeployment>(StartMonitor);
        Receive<Finished>(OnFinished);
        Receive<DeploymentStatusChanged>(OnStatusChanged);
        Receive<DeploymentHung>(hung =>
        {
            _finishingMonitors.Add(DeploymentMonitor.NameFor(hung.DeploymentId));
            Context.Parent.Tell(new WorkerReport(WorkerNames.Railway, hung));
        });
        Receive<Terminated>(OnMonitorTerminated);
    }

    /// <summary>
    /// Props for the worker. Log lines it reads pass through <paramref name="redactor"/> (the host's, with its secrets
    /// registered) before they reach a report, the journal, an alert or an issue. <paramref name="fence"/> is the node's
    /// lease (null: a single node, nothing fenced).
    /// </summary>
    public static Props Props(IRailwayClient client, RailwaySettings settings, Redactor? redactor = null, IActionFence? fence = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(settings);
        var lines = redactor ?? new Redactor();
        var actions = fence ?? ActionFence.Unfenced;
        return Akka.Actor.Props.Create(() => new RailwayWorker(client, settings, lines, actions));
    }

    private sealed record Outcome(bool Success, string Detail, WatchDeployment? Watch = null);

    private sealed record Finished(string ActionId, Outcome Outcome);

    private sealed record Observation(WatchedService Service, RailwayDeployment? Newest, DeploymentStatusChanged? Enriched);

    /// <inheritdoc />
    protected override void PreStart()
    {
        IncarnationStarted.Announce(Context);
        base.PreStart();
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }

    private void Run(IWorkerCommand command, string serviceName, Func<WatchedService, CancellationToken, Task<Outcome>> work)
    {
        var service = _settings.Find(serviceName);
        if (service is null)
        {
            Sender.Tell(new WorkerResult(command.ActionId, false, Error: $"service \"{serviceName}\" is not configured under autopilot.agents.railway.services"));
            return;
        }

        _inFlight[command.ActionId] = Sender;
        var self = Self;
        work(service, _stopping.Token).ContinueWith(
            done => self.Tell(new Finished(command.ActionId, done.IsCompletedSuccessfully
                ? done.Result
                : new Outcome(false, done.Exception?.GetBaseException().Message ?? "cancelled"))),
            TaskScheduler.Default);
    }

    private void OnFinished(Finished finished)
    {
        // A result from before a restart was already reported as failed; ignore it.
        if (!_inFlight.Remove(finished.ActionId, out var replyTo))
        {
            return;
        }

        var outcome = finished.Outcome;
        replyTo.Tell(outcome.Success
            ? new WorkerResult(finished.ActionId, true, outcome.Detail)
            : new WorkerResult(finished.ActionId, false, Error: outcome.Detail));
        if (outcome.Watch is not null)
        {
            StartMonitor(outcome.Watch);
        }
    }

    private async Task<Outcome> DeployAsync(WatchedService service, string commit, CancellationToken ct)
    {
        // Look before acting: the orchestrator may not have observed Railway yet (a fresh start reads GitHub and Railway
        // at once), so a commit Railway already runs or is rolling out is reported as such and not deployed again.
        var deployments = await RecentAsync(service, ct).ConfigureAwait(false);
        if (deployments.FirstOrDefault(d => string.Equals(d.CommitHash, commit, StringComparison.OrdinalIgnoreCase)
                                            && (d.Status.IsHealthy() || d.Status.IsInProgress())) is { } existing)
        {
            return new Outcome(true, $"{Short(commit)} is already on Railway (deployment {existing.Id}, {existing.Status}): not deployed again",
                existing.Status.IsInProgress() ? new WatchDeployment(service.Name, existing.Id, WatchPurposes.Observed, commit) : null);
        }

        Fence($"Railway deploy of {Short(commit)} to {service.Name}");
        var deploymentId = await _client.DeployServiceAsync(service.ServiceId, service.EnvironmentId, commit, ct).ConfigureAwait(false);
        return new Outcome(true, $"deployment {deploymentId} of {Short(commit)} started", new WatchDeployment(service.Name, deploymentId, WatchPurposes.Deploy, commit));
    }

    private async Task<Outcome> RollbackAsync(WatchedService service, string? brokenDeploymentId, CancellationToken ct)
    {
        var deployments = await RecentAsync(service, ct).ConfigureAwait(false);
        var broken = brokenDeploymentId is null ? null : deployments.FirstOrDefault(d => d.Id == brokenDeploymentId);
        var candidates = deployments.Where(d => d.Id != brokenDeploymentId && (broken is null || d.CreatedAt <= broken.CreatedAt));
        var active = candidates.FirstOrDefault(d => d.Status == DeploymentStatus.Success);
        var target = candidates.FirstOrDefault(d => d.CanRollback);
        if (active is not null && (target is null || active.CreatedAt >= target.CreatedAt))
        {
            // The broken deployment never replaced the good one (e.g. its build failed): production already runs the last good deployment.
            return new Outcome(true, $"last good deployment {active.Id} is still serving; nothing to roll back");
        }

        if (target is null)
        {
            return new Outcome(false, "no earlier deployment that Railway can roll back to");
        }

        Fence($"Railway rollback of {service.Name} to {target.Id}");
        if (!await _client.RollbackAsync(target.Id, ct).ConfigureAwait(false))
        {
            return new Outcome(false, $"Railway declined the rollback to {target.Id}");
        }

        // Railway answers a rollback with a bare true; the new deployment is the newest one for the target's commit.
        var after = await RecentAsync(service, ct).ConfigureAwait(false);
        var created = after.FirstOrDefault(d => d.Id != target.Id && d.CommitHash == target.CommitHash && !deployments.Any(old => old.Id == d.Id));
        return created is null
            ? new Outcome(true, $"rolled back to {target.Id}; the new deployment is not listed yet")
            : new Outcome(true, $"rolled back to {target.Id} ({Short(target.CommitHash)}) as deployment {created.Id}",
                new WatchDeployment(service.Name, created.Id, WatchPurposes.Rollback, target.CommitHash));
    }

    private async Task<Outcome> RestartAsync(WatchedService service, string deploymentId, CancellationToken ct)
    {
        Fence($"Railway restart of {service.Name} deployment {deploymentId}");
        return await _client.RestartAsync(deploymentId, ct).ConfigureAwait(false)
            ? new Outcome(true, $"restarted deployment {deploymentId}", new WatchDeployment(service.Name, deploymentId, WatchPurposes.Restart, null))
            : new Outcome(false, $"Railway declined to restart {deploymentId}");
    }

    /// <summary>
    /// The worker's one fence check, right before each change on Railway (on the thread running the action): throws
    /// <see cref="ActionFenceException"/> when this node no longer holds the lease, which <see cref="Run"/> answers as a
    /// failed action; the change is not made.
    /// </summary>
    private void Fence(string call) => _fence.EnsureHeld(_log, call);

    /// <summary>
    /// How far Railway's timestamps may trail the moment we recorded a request and still be its effect: Railway keeps
    /// milliseconds (ours has 100 ns) and its clock is not ours. Too small and a change that happened is reported as
    /// "did not reach Railway" (and repeated by nobody, but mis-recorded); a deployment created by someone else within
    /// this window before our request is the only thing it could mistake for ours.
    /// </summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(2);

    private async Task<Outcome> ReconcileAsync(WatchedService service, ReconcileAction action, CancellationToken ct)
    {
        switch (action.Action)
        {
            case PolicyActions.Deploy or PolicyActions.Rollback:
                // A deploy or rollback leaves a new deployment behind; one created since the request is its effect.
                var deployments = await RecentAsync(service, ct).ConfigureAwait(false);
                var effect = deployments.FirstOrDefault(d => d.CreatedAt >= action.RequestedAt - ClockSkew && d.Id != action.DeploymentId);
                return effect is null
                    ? new Outcome(false, $"no deployment of {service.Name} created since {action.RequestedAt:O}: the {action.Action} did not reach Railway")
                    : new Outcome(true, $"found deployment {effect.Id} ({effect.Status}) created since the request: the {action.Action} took effect",
                        effect.Status.IsInProgress() || effect.Status.IsHealthy()
                            ? new WatchDeployment(service.Name, effect.Id, action.Action == PolicyActions.Rollback ? WatchPurposes.Rollback : WatchPurposes.Deploy, effect.CommitHash)
                            : null);
            case PolicyActions.Restart when action.DeploymentId is not null:
                var deployment = await _client.GetDeploymentAsync(action.DeploymentId, ct).ConfigureAwait(false);
                var restarted = deployment.StatusUpdatedAt is { } changed && changed >= action.RequestedAt - ClockSkew;
                return restarted
                    ? new Outcome(true, $"deployment {deployment.Id} changed status since the request ({deployment.Status}): the restart took effect",
                        new WatchDeployment(service.Name, deployment.Id, WatchPurposes.Restart, deployment.CommitHash))
                    : new Outcome(false, $"deployment {deployment.Id} unchanged since the request: the restart did not reach Railway");
            default:
                return new Outcome(false, $"cannot tell from Railway whether \"{action.Action}\" took effect");
        }
    }

    private async Task<IReadOnlyList<RailwayDeployment>> RecentAsync(WatchedService service, CancellationToken ct)
    {
        var page = await _client.ListDeploymentsAsync(
            new DeploymentFilter { ServiceId = service.ServiceId, EnvironmentId = service.EnvironmentId }, 20, cancellationToken: ct).ConfigureAwait(false);
        return page.Deployments.OrderByDescending(d => d.CreatedAt).ToArray();
    }

    private void Observe()
    {
        var self = Self;
        foreach (var service in _settings.Services)
        {
            RecentAsync(service, _stopping.Token).ContinueWith(
                read => self.Tell(new Observation(service, read.IsCompletedSuccessfully ? read.Result.FirstOrDefault() : null, null)),
                TaskScheduler.Default);
        }
    }

    private void OnObservation(Observation observation)
    {
        if (observation.Enriched is { } enriched)
        {
            Context.Parent.Tell(new WorkerReport(WorkerNames.Railway, enriched));
            return;
        }

        if (observation.Newest is not { } newest)
        {
            return;
        }

        var service = observation.Service;
        var known = _lastObserved.TryGetValue(service.Name, out var last) && last.DeploymentId == newest.Id && last.Status == newest.Status;
        _lastObserved[service.Name] = (newest.Id, newest.Status);
        var monitorName = DeploymentMonitor.NameFor(newest.Id);
        if (known || !Context.Child(monitorName).Equals(Nobody.Instance))
        {
            return;
        }

        if (newest.Status.IsInProgress())
        {
            StartMonitor(new WatchDeployment(service.Name, newest.Id, WatchPurposes.Observed, newest.CommitHash));
        }
        else
        {
            OnStatusChanged(new DeploymentStatusChanged(
                service.Name, newest.Id, null, newest.Status, newest.CommitHash, WatchPurposes.Observed, Context.System.Scheduler.Now));
        }
    }

    private void StartMonitor(WatchDeployment watch)
    {
        var name = DeploymentMonitor.NameFor(watch.DeploymentId);
        var existing = Context.Child(name);
        if (existing.Equals(Nobody.Instance))
        {
            Context.Watch(Context.ActorOf(DeploymentMonitor.Props(_client, _settings, Self, watch.Service, watch.DeploymentId, watch.Purpose, watch.Commit), name));
        }
        else if (_finishingMonitors.Contains(name))
        {
            // The previous watch is stopping; start again once its name is free.
            _deferredWatches[name] = watch;
        }
        else
        {
            existing.Tell(new DeploymentMonitor.Rewatch(watch.Purpose));
        }
    }

    private void OnMonitorTerminated(Terminated terminated)
    {
        var name = terminated.ActorRef.Path.Name;
        _finishingMonitors.Remove(name);
        if (_deferredWatches.Remove(name, out var watch))
        {
            StartMonitor(watch);
        }
    }

    private void OnStatusChanged(DeploymentStatusChanged changed)
    {
        if (changed.Current is DeploymentStatus.Failed or DeploymentStatus.Crashed or DeploymentStatus.Removed or DeploymentStatus.Skipped or DeploymentStatus.Sleeping)
        {
            _finishingMonitors.Add(DeploymentMonitor.NameFor(changed.DeploymentId));
        }

        if (_settings.Find(changed.Service) is { } service && changed.Current.IsBroken())
        {
            // Read the evidence before reporting, so the orchestrator orients on facts rather than on a bare status.
            var self = Self;
            var query = new LogQuery { Limit = _settings.LogLines };
            var logs = changed.Current == DeploymentStatus.Failed
                ? _client.GetBuildLogsAsync(changed.DeploymentId, query, _stopping.Token)
                : _client.GetDeploymentLogsAsync(changed.DeploymentId, query, _stopping.Token);
            logs.ContinueWith(
                read => self.Tell(new Observation(service, null, changed with
                {
                    LogTail = read.IsCompletedSuccessfully
                        ? read.Result.TakeLast(_settings.LogLines).Select(l => _redactor.Redact(l.Message)).ToArray()
                        : [$"(logs unavailable: {read.Exception?.GetBaseException().Message ?? "cancelled"})"],
                })),
                TaskScheduler.Default);
            return;
        }

        Context.Parent.Tell(new WorkerReport(WorkerNames.Railway, changed));
    }

    private static string Short(string? commit) => commit is { Length: > 7 } ? commit[..7] : commit ?? "(unknown)";
}
