using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Autopilot.Agents.Fencing;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Audit;
using Autopilot.Daemon.Cluster;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Intake;
using Autopilot.Daemon.Metrics;
using Autopilot.Daemon.Persistence;
using Autopilot.Platforms.Redaction;
using Microsoft.Extensions.Logging;

namespace Autopilot.Daemon.Runtime;

/// <summary>Key of the orchestrator (its backoff supervisor at <c>/user/orchestrator</c>) in the <see cref="ActorRegistry"/>.</summary>
public sealed class OrchestratorActor;

/// <summary>
/// The daemon's view of its actor system for the HTTP edge: settings, metrics, the actors the host registered in Akka's
/// <see cref="ActorRegistry"/> (orchestrator, webhook intake, hand-over), the read side of the journal and whether the
/// daemon is ready. Akka.Hosting owns the actor system's life; this class is told when the actors exist
/// (<see cref="Attach"/>, from <c>WithActors</c>) and when the intake closes (<see cref="CloseIntakeAsync"/>, from the
/// coordinated shutdown's <c>service-unbind</c> phase).
/// </summary>
public sealed class DaemonRuntime
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _log;
    private volatile ActorSystem? _system;
    private volatile IActorRef? _orchestrator;
    private volatile IActorRef? _intake;
    private volatile IActorRef? _handover;
    private volatile AuditQueries? _audit;
    private volatile bool _intakeOpen;
    private volatile string? _startupFailure;

    /// <summary>Creates the runtime view; the actor system does not exist yet.</summary>
    public DaemonRuntime(Config config, DaemonSettings settings, AutopilotMetrics metrics, JournalDatabase database, JournalHealth journalHealth,
        TimeProvider time, ILoggerFactory loggerFactory, Redactor redactor)
    {
        Config = config;
        Settings = settings;
        Metrics = metrics;
        Database = database;
        JournalHealth = journalHealth;
        Time = time;
        LoggerFactory = loggerFactory;
        Redactor = redactor;
        _log = loggerFactory.CreateLogger("Autopilot.Daemon");
        StartedAt = time.GetUtcNow();
        AgentsSettings = AgentsSettings.FromConfig(config);
        WorkRoute = new ActorWorkRoute(() => Intake, () => Orchestrator, settings.AskTimeout);
    }

    /// <summary>The effective configuration.</summary>
    public Config Config { get; }

    /// <summary>The validated settings.</summary>
    public DaemonSettings Settings { get; }

    /// <summary>The daemon's instruments.</summary>
    public AutopilotMetrics Metrics { get; }

    /// <summary>The database under the journal.</summary>
    public JournalDatabase Database { get; }

    /// <summary>The journal's health, probed on its own.</summary>
    public JournalHealth JournalHealth { get; }

    /// <summary>The clock of the platform clients and the HTTP edge.</summary>
    public TimeProvider Time { get; }

    /// <summary>Loggers of the host.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The log redactor.</summary>
    public Redactor Redactor { get; }

    /// <summary>The agents' settings (watched services, budget), for views rebuilt from the journal.</summary>
    public AgentsSettings AgentsSettings { get; }

    /// <summary>The self-watch conditions holding now (for <c>/health</c>).</summary>
    public SelfWatch.SelfWatchStatus SelfWatch { get; } = new();

    /// <summary>When the runtime was created.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>The actor system once Akka.Hosting started it, else null.</summary>
    public ActorSystem? System => _system;

    /// <summary>The read side of the journal, once the actor system runs.</summary>
    public AuditQueries? Audit => _audit;

    /// <summary>
    /// The audit offset at start, taken before any actor of this process could write: the audit-fed metrics count what
    /// comes after it (Prometheus counters restart with the process), however late their own reader starts.
    /// </summary>
    public long AuditCountFrom { get; private set; }

    /// <summary>How the HTTP edge hands over webhooks, security events and commands.</summary>
    public IWorkRoute WorkRoute { get; }

    /// <summary>The orchestrator (its backoff supervisor), or null while starting.</summary>
    public IActorRef? Orchestrator => _orchestrator;

    /// <summary>The webhook intake, or null while starting and after it was closed for shutdown.</summary>
    public IActorRef? Intake => _intakeOpen ? _intake : null;

    /// <summary>The hand-over from the intake's stream to the orchestrator, or null while starting.</summary>
    public IActorRef? Handover => _handover;

    /// <summary>
    /// Where this node stands: on a single node it runs everything; in a cluster Akka.Cluster decides (the oldest Up
    /// member runs the singletons), or null while the actor system is not running.
    /// </summary>
    public ClusterPlace? Place => _system is not { } system ? null
        : Settings.Cluster.Enabled ? ClusterPlace.Of(system)
        : new ClusterPlace("single node", Settings.NodeName, true);

    /// <summary>True once the actors run and the journal answers, until shutdown begins.</summary>
    public bool IsReady => _intakeOpen && _orchestrator is not null && JournalHealth.Current.Status == JournalHealth.Healthy
        && _system is { WhenTerminated.IsCompleted: false };

    /// <summary>Why the start failed, or null.</summary>
    public string? StartupFailure => _startupFailure;

    /// <summary>Completes when the actors exist (or the start failed).</summary>
    public Task Started => _started.Task;

    /// <summary>The process's exit code once the host stopped (always <c>0</c> on a single node unless the start failed).</summary>
    public int ExitCode => _startupFailure is null ? Hosting.DaemonExitCodes.Stopped : Hosting.DaemonExitCodes.Failed;

    /// <summary>The context an <see cref="OrchestratorFactory"/> builds the tree with.</summary>
    public OrchestratorContext OrchestratorContext(ActorSystem system, ICollection<IDisposable> owned) => new(Config, Settings, Time, LoggerFactory, Metrics, Redactor, owned,
        Settings.Cluster.Enabled ? new SingletonLeaseFence(system, Settings.Cluster.SelfHostPort) : ActionFence.Unfenced);

    /// <summary>Called from <c>WithActors</c> once the tree, the intake and the hand-over exist.</summary>
    internal void Attach(ActorSystem system, AuditQueries audit, long auditCountFrom, IActorRef orchestrator, IActorRef intake, IActorRef handover)
    {
        _system = system;
        _audit = audit;
        AuditCountFrom = auditCountFrom;
        _orchestrator = orchestrator;
        _intake = intake;
        _handover = handover;
        _intakeOpen = true;
        Metrics.AttachActorSystem(system);
        _log.LogInformation("Ready: {Plugin} journal, orchestrator at {Path}", Settings.Journal.Plugin, orchestrator.Path);
        _started.TrySetResult();
    }

    /// <summary>Records that the start failed (the actors could not be created).</summary>
    internal void Fail(Exception cause)
    {
        _startupFailure = cause.Message;
        _log.LogError(cause, "Start failed: {Reason}", cause.Message);
        _started.TrySetResult();
    }

    /// <summary>Stops taking webhooks (service-unbind): the HTTP edge answers 503, the intake refuses what is still queued.</summary>
    internal async Task CloseIntakeAsync()
    {
        _intakeOpen = false;
        if (_intake is { } intake)
        {
            try
            {
                await intake.Ask<Done>(CloseIntake.Instance, TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                // The intake is restarting under its supervisor; nothing reaches it through the edge any more anyway.
            }
        }

        _log.LogInformation("Webhook intake closed");
    }

    /// <summary>
    /// service-requests-done: gives running actions the phase's budget to finish; what is still pending afterwards is
    /// recorded as cut off by the workers when they stop (the protocol's contract), so nothing is lost silently.
    /// </summary>
    internal async Task AwaitInFlightActionsAsync(TimeSpan budget)
    {
        var orchestrator = _orchestrator;
        if (orchestrator is null || Place is { HostsSingletons: false })
        {
            // A standby's proxy would report the leader's actions, which the leader waits for itself.
            return;
        }

        var deadline = DateTimeOffset.UtcNow + budget;
        while (DateTimeOffset.UtcNow < deadline)
        {
            try
            {
                var status = await orchestrator.Ask<OrchestratorStatus>(new GetOrchestratorStatus(), TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                if (status.PendingActions == 0)
                {
                    return;
                }

                _log.LogInformation("Waiting for {Pending} in-flight actions", status.PendingActions);
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException or InvalidCastException)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250)).ConfigureAwait(false);
        }

        _log.LogWarning("In-flight actions still pending after {Budget}; they are recorded as cut off when the workers stop", budget);
    }

    /// <summary>Stops the hand-over, then the intake and the orchestrator (each after its queued messages), before the journal closes.</summary>
    internal async Task StopActorsAsync(TimeSpan budget)
    {
        // In a cluster the hand-over is a singleton the manager hands over (cluster-exiting) before this phase.
        if (_handover is { } handover && !Settings.Cluster.Enabled)
        {
            try
            {
                // The last confirmed deliveries' position, so the next start neither hands them over again nor forgets them.
                await handover.Ask<Done>(WritePosition.Instance, budget).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                _log.LogWarning("The hand-over did not write its position within {Budget}; the orchestrator ignores what it hands over again", budget);
            }
        }

        foreach (var actor in new[] { _handover, _intake, _orchestrator })
        {
            if (actor is null)
            {
                continue;
            }

            try
            {
                await actor.GracefulStop(budget).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TaskCanceledException or AskTimeoutException)
            {
                _log.LogWarning("{Actor} did not stop within {Budget}", actor.Path, budget);
            }
        }

        _orchestrator = null;
    }
}
