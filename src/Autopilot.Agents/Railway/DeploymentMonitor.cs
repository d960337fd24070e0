using Akka.Actor;
using Akka.Event;
using Autopilot.Agents.Protocol;
using Autopilot.Platforms.Railway;

namespace Autopilot.Agents.Railway;

/// <summary>What a <see cref="DeploymentMonitor"/> remembers between polls.</summary>
/// <param name="Purpose">Why the deployment is watched.</param>
/// <param name="WatchingSince">Start of the current watch; the stabilisation timeout counts from here.</param>
/// <param name="LastReported">Last status reported to the owner; null before the first read.</param>
/// <param name="SucceededAt">When SUCCESS was first seen in this watch.</param>
/// <param name="Commit">The deployment's commit, once known.</param>
public sealed record MonitorData(string Purpose, DateTimeOffset WatchingSince, DeploymentStatus? LastReported, DateTimeOffset? SucceededAt, string? Commit);

/// <summary>
/// Watches one Railway deployment (actor name <c>deployment-&lt;id&gt;</c>) as a state machine over Railway's own
/// <see cref="DeploymentStatus"/>. It polls at the cadence configured for the current status, reports every change
/// (<see cref="DeploymentStatusChanged"/>) to its owner, keeps watching a SUCCESS for <see cref="RailwaySettings.StableAfter"/>
/// so a crash right after start is caught, reports a deployment that does not settle within the stabilisation timeout
/// (<see cref="DeploymentHung"/>), and stops once the outcome is known. Unknown statuses are reported, never thrown.
/// </summary>
/// <remarks>
/// An Akka <see cref="FSM{TState,TData}"/>: the next poll is the FSM's own single timer (<c>SetTimer</c>), so the actor
/// system's scheduler (the TestScheduler in tests) drives the cadence.
/// </remarks>
public sealed class DeploymentMonitor : FSM<DeploymentStatus, MonitorData>
{
    private const string PollTimer = "poll";
    private readonly IRailwayClient _client;
    private readonly RailwaySettings _settings;
    private readonly IActorRef _owner;
    private readonly string _service;
    private readonly string _deploymentId;
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Creates a monitor; prefer <see cref="Props"/>.</summary>
    public DeploymentMonitor(IRailwayClient client, RailwaySettings settings, IActorRef owner, string service, string deploymentId, string purpose, string? commit)
    {
        _client = client;
        _settings = settings;
        _owner = owner;
        _service = service;
        _deploymentId = deploymentId;

        // The state before the first read is Unknown with nothing reported yet; the first read always reports.
        StartWith(DeploymentStatus.Unknown, new MonitorData(purpose, Context.System.Scheduler.Now, null, null, commit));
        foreach (var status in Enum.GetValues<DeploymentStatus>())
        {
            When(status, Handle);
        }

        Initialize();
    }

    /// <summary>The actor name of the monitor of <paramref name="deploymentId"/>.</summary>
    public static string NameFor(string deploymentId) => $"deployment-{deploymentId}";

    /// <summary>Props for a monitor that reports to <paramref name="owner"/>.</summary>
    public static Props Props(IRailwayClient client, RailwaySettings settings, IActorRef owner, string service, string deploymentId, string purpose, string? commit = null) =>
        Akka.Actor.Props.Create(() => new DeploymentMonitor(client, settings, owner, service, deploymentId, purpose, commit));

    /// <summary>Restarts the watch (new purpose, fresh stabilisation timeout), e.g. after the autopilot restarted the deployment.</summary>
    public sealed record Rewatch(string Purpose);

    private sealed record Poll;

    private sealed record StatusRead(RailwayDeployment? Deployment, string? Error);

    /// <inheritdoc />
    protected override void PreStart()
    {
        Self.Tell(new Poll());
        base.PreStart();
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }

    private State<DeploymentStatus, MonitorData>? Handle(Event<MonitorData> e)
    {
        switch (e.FsmEvent)
        {
            case Poll:
                Read();
                return Stay();
            case Rewatch rewatch:
                CancelTimer(PollTimer);
                Self.Tell(new Poll());
                return Stay().Using(e.StateData with { Purpose = rewatch.Purpose, WatchingSince = Context.System.Scheduler.Now, SucceededAt = null });
            case StatusRead { Deployment: null } failed:
                Context.GetLogger().Warning($"Reading deployment {_deploymentId} failed: {failed.Error}");
                return StillUnsettled(StateName, e.StateData);
            case StatusRead { Deployment: { } deployment }:
                return OnStatus(deployment, e.StateData);
            default:
                return null;
        }
    }

    private State<DeploymentStatus, MonitorData> OnStatus(RailwayDeployment deployment, MonitorData data)
    {
        var now = Context.System.Scheduler.Now;
        var status = deployment.Status;
        var next = data with { LastReported = status, Commit = data.Commit ?? deployment.CommitHash };
        // Decide (and schedule the next poll) before reporting, so whoever reacts to the report finds the watch in place.
        var outcome = Settle(status, now, data, next);
        if (data.LastReported != status)
        {
            _owner.Tell(new DeploymentStatusChanged(_service, _deploymentId, data.LastReported, status, next.Commit, data.Purpose, now));
        }

        return outcome;
    }

    private State<DeploymentStatus, MonitorData> Settle(DeploymentStatus status, DateTimeOffset now, MonitorData data, MonitorData next)
    {
        switch (status)
        {
            case DeploymentStatus.Failed or DeploymentStatus.Crashed or DeploymentStatus.Removed or DeploymentStatus.Skipped or DeploymentStatus.Sleeping:
                // An outcome: nothing more will happen to this deployment without someone acting on it.
                return Stop();
            case DeploymentStatus.Success:
                var succeededAt = data.SucceededAt ?? now;
                if (now - succeededAt >= _settings.StableAfter)
                {
                    return Stop();
                }

                SetTimer(PollTimer, new Poll(), _settings.PollIntervalFor(status));
                return GoTo(status).Using(next with { SucceededAt = succeededAt });
            default:
                // In progress, waiting for approval, being removed, or a status this build does not know.
                return StillUnsettled(status, next with { SucceededAt = null });
        }
    }

    private State<DeploymentStatus, MonitorData> StillUnsettled(DeploymentStatus status, MonitorData data)
    {
        var now = Context.System.Scheduler.Now;
        var watchedFor = now - data.WatchingSince;
        if (status != DeploymentStatus.Success && watchedFor >= _settings.StabilisationTimeout)
        {
            _owner.Tell(new DeploymentHung(_service, _deploymentId, status, watchedFor, data.Commit, now));
            return Stop();
        }

        SetTimer(PollTimer, new Poll(), _settings.PollIntervalFor(status));
        return GoTo(status).Using(data);
    }

    private void Read()
    {
        var self = Self;
        _client.GetDeploymentAsync(_deploymentId, _stopping.Token).ContinueWith(
            read => self.Tell(read.IsCompletedSuccessfully
                ? new StatusRead(read.Result, null)
                : new StatusRead(null, read.Exception?.GetBaseException().Message ?? "cancelled")),
            TaskScheduler.Default);
    }
}
