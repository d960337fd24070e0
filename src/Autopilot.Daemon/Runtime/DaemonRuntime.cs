using Autopilot.Actors;
using Autopilot.Actors.Configuration;
using Autopilot.Actors.Persistence;
using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.Query;
using Autopilot.Actors.Persistence.Serialization;
using Autopilot.Actors.Sql;
using Autopilot.Actors.Sql.Cluster;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Cluster;
using Autopilot.Daemon.Hosting;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Intake;
using Autopilot.Daemon.Metrics;
using Autopilot.Daemon.Persistence;
using Autopilot.Platforms.Redaction;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Autopilot.Daemon.Runtime;

/// <summary>
/// Owns the actor system, the journal, the webhook intake and the orchestrator for the life of the host. The HTTP
/// edge answers from the first second (/health says what is still starting); the actor tree is created once the
/// journal has started, and <see cref="IsReady"/> turns true then. Stopping runs the actor system's coordinated
/// shutdown: intake closed (service-unbind), in-flight actions given time to finish (service-requests-done), then
/// orchestrator and intake stopped and the journal closed (before-actor-system-terminate).
/// </summary>
/// <remarks>
/// With <c>autopilot.cluster.enabled</c> the node joins the cluster once the journal has started, and the intake and
/// orchestrator run only while it holds the orchestrator lease (<see cref="SingletonHost"/>); work reaches them through
/// the durable inbox. Shutdown then also hands the singleton over (before-cluster-shutdown) and leaves the cluster
/// (cluster-leave). A node that is downed or superseded shuts itself down and the host exits with
/// <see cref="DaemonExitCodes.Downed"/>.
/// </remarks>
public sealed class DaemonRuntime : IHostedService, IAsyncDisposable
{
    private readonly Config _config;
    private readonly OrchestratorFactory _orchestratorFactory;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Redactor _redactor;
    private readonly List<IDisposable> _owned = [];
    private readonly IWorkRoute _workRoute;
    private PersistencePlugin? _plugin;
    private SingletonHost? _singleton;
    private volatile bool _journalStarted;
    private Task _startup = Task.CompletedTask;
    private volatile IActorRef? _orchestrator;
    private volatile IActorRef? _intake;
    private volatile bool _intakeOpen;
    private volatile string? _startupFailure;
    private int _disposed;

    /// <summary>
    /// Creates the actor system and the (not yet started) journal, so the HTTP edge can answer /health even before
    /// <see cref="StartAsync"/> runs; the journal start and the actor tree wait for <see cref="StartAsync"/>.
    /// </summary>
    public DaemonRuntime(Config config, DaemonSettings settings, OrchestratorFactory orchestratorFactory, AutopilotMetrics metrics, TimeProvider time,
        ILoggerFactory loggerFactory, Redactor redactor, IHostApplicationLifetime lifetime)
    {
        _redactor = redactor;
        _config = config;
        Settings = settings;
        _orchestratorFactory = orchestratorFactory;
        Metrics = metrics;
        _time = time;
        _loggerFactory = loggerFactory;
        _log = loggerFactory.CreateLogger("Autopilot.Daemon");
        Serializer = AutopilotTree.RegisterEvents(new EventSerializer()).Register<IntakeSnapshot>();
        StartedAt = _time.GetUtcNow();
        Directory.CreateDirectory(Settings.DataDirectory);
        System = ActorSystem.Create("autopilotd", _config, new ActorSystemSetup(_time, _loggerFactory));
        Metrics.AttachActorSystem(System);
        _plugin = PersistencePlugins.Create(Settings.Journal.Plugin, Settings.Journal.ConnectionString, Serializer,
            _loggerFactory.CreateLogger("Autopilot.Persistence"), _time);
        Journal = new MeasuredEventJournal(_plugin.Journal, Metrics);
        Query = new PersistenceQuery(Journal, Settings.QueryPollInterval, _time);
        AgentsSettings = AgentsSettings.FromConfig(config);
        if (Settings.Cluster is { } cluster)
        {
            Cluster = new ClusterNode(cluster.Node, SingletonLeaseName, _loggerFactory.CreateLogger("Autopilot.Cluster"), _time);
            _workRoute = new InboxWorkRoute(Cluster.Inbox, () => _intakeOpen, Settings.AskTimeout, cluster.InboxPollInterval, _time);
        }
        else
        {
            _workRoute = new ActorWorkRoute(() => Intake, () => Orchestrator, Settings.AskTimeout);
        }

        RegisterShutdownTasks();
        // However the actor system ends (host stopping, node downed), the process ends with it.
        System.WhenTerminated.ContinueWith(_ => lifetime.StopApplication(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Name of the lease the orchestrator singleton runs under.</summary>
    public const string SingletonLeaseName = "orchestrator";

    /// <summary>The validated settings.</summary>
    public DaemonSettings Settings { get; }

    /// <summary>The daemon's instruments.</summary>
    public AutopilotMetrics Metrics { get; }

    /// <summary>Serializer with every event of the agents (audit and their own) and of the intake registered.</summary>
    public EventSerializer Serializer { get; }

    /// <summary>When the runtime was created.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>The actor system.</summary>
    public ActorSystem System { get; }

    /// <summary>The journal (measured), for health and queries.</summary>
    public IEventJournal Journal { get; }

    /// <summary>Read side of the journal (audit queries and the live stream).</summary>
    public PersistenceQuery Query { get; }

    /// <summary>The agents' settings (watched services, budget), for views rebuilt from the journal.</summary>
    public AgentsSettings AgentsSettings { get; }

    /// <summary>This node's cluster membership, lease and inbox, or null on a single node.</summary>
    public ClusterNode? Cluster { get; }

    /// <summary>How the HTTP edge hands over webhooks, security events and commands.</summary>
    public IWorkRoute WorkRoute => _workRoute;

    /// <summary>The orchestrator of this process, or null while starting (and on a cluster node that does not lead).</summary>
    public IActorRef? Orchestrator => Cluster is null ? _orchestrator : _singleton?.Orchestrator;

    /// <summary>The webhook intake of this process, or null while starting, after intake was closed for shutdown, or on a cluster node that does not lead.</summary>
    public IActorRef? Intake => _intakeOpen ? (Cluster is null ? _intake : _singleton?.Intake) : null;

    /// <summary>True on a cluster node whose journal is up and that does not run the orchestrator: reads come from the journal.</summary>
    public bool IsStandby => Cluster is not null && _journalStarted && Orchestrator is null;

    /// <summary>
    /// True once the journal is up and the actor tree exists (single node) or this member is Up (cluster node,
    /// leader or standby), until shutdown begins.
    /// </summary>
    public bool IsReady => _intakeOpen && Journal.Health.Status == JournalStatus.Healthy
        && (Cluster is null ? _orchestrator is not null : Cluster.Membership.Self?.Status == MemberStatus.Up);

    /// <summary>
    /// The process's exit code once the host stopped: <see cref="DaemonExitCodes.Downed"/> when this cluster node was
    /// downed or superseded (a supervisor should start it again), else <see cref="DaemonExitCodes.Stopped"/>.
    /// </summary>
    public int ExitCode => CoordinatedShutdown.Get(System).ShutdownReason is CoordinatedShutdown.ClusterLeavingReason
        ? DaemonExitCodes.Downed
        : DaemonExitCodes.Stopped;

    /// <summary>Why the start failed (journal or orchestrator), or null.</summary>
    public string? StartupFailure => _startupFailure;

    /// <summary>Completes when the journal has started and the tree exists (or the start failed).</summary>
    public Task Started => _startup;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _log.LogInformation("Starting node {Node} with the {Plugin} journal; data directory {DataDirectory}",
            Settings.NodeName, Settings.Journal.Plugin, Settings.DataDirectory);
        foreach (var platform in Settings.Platforms.Statuses)
        {
            if (platform.Configured)
            {
                _log.LogInformation("Platform {Platform}: {Detail}", platform.Platform, platform.Detail);
            }
            else
            {
                _log.LogWarning("Platform {Platform}: {Detail}", platform.Platform, platform.Detail);
            }
        }

        if (Settings.ApiTokens.Count == 0)
        {
            _log.LogWarning("No admin API token is configured: /api answers 401 until one is set (e.g. AUTOPILOT_ADMIN_TOKEN)");
        }

        _startup = Task.Run(StartTreeAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _log.LogInformation("Stopping: coordinated shutdown within {Timeout}", Settings.ShutdownTimeout);
        var run = CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.HostStoppingReason.Instance);
        var finished = await Task.WhenAny(run, Task.Delay(Settings.ShutdownTimeout, CancellationToken.None)).ConfigureAwait(false);
        if (finished != run)
        {
            _log.LogWarning("Shutdown did not finish within {Timeout}; exiting anyway", Settings.ShutdownTimeout);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_singleton is not null)
        {
            await _singleton.DisposeAsync().ConfigureAwait(false);
        }

        if (Cluster is not null)
        {
            await Cluster.DisposeAsync().ConfigureAwait(false);
        }

        if (_plugin is not null)
        {
            await _plugin.DisposeAsync().ConfigureAwait(false);
            _plugin = null;
        }

        await System.DisposeAsync().ConfigureAwait(false);
        DisposeOwned();
    }

    private void DisposeOwned()
    {
        lock (_owned)
        {
            foreach (var resource in _owned)
            {
                resource.Dispose();
            }

            _owned.Clear();
        }
    }

    private async Task StartTreeAsync()
    {
        try
        {
            await _plugin!.StartAsync(_stopping.Token).ConfigureAwait(false);
            PersistenceExtension.Start(System, Journal, _plugin.SnapshotStore);
            if (Cluster is null)
            {
                StartSingleNode();
            }
            else
            {
                await JoinClusterAsync(Cluster).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            _startupFailure = "stopped before the journal started";
        }
        catch (Exception e)
        {
            _startupFailure = e.Message;
            _log.LogError(e, "Start failed: {Reason}", e.Message);
        }
    }

    private OrchestratorContext Context() => new(_config, Settings, _time, _loggerFactory, Metrics, _redactor, _owned);

    private void StartSingleNode()
    {
        var orchestrator = _orchestratorFactory(System, Context());
        _intake = System.ActorOf(WebhookIntake.Supervised(orchestrator, _time, Metrics), "intake");
        _intakeOpen = true;
        _orchestrator = orchestrator;
        _journalStarted = true;
        _log.LogInformation("Ready: journal {Plugin} started, orchestrator at {Path}", Settings.Journal.Plugin, orchestrator.Path);
    }

    /// <summary>
    /// Ties the node to the actor system (leave on shutdown, shut down when downed, fencing token on every write),
    /// follows the lease with the singleton host, then joins; webhooks and commands are taken into the inbox from then on.
    /// </summary>
    private async Task JoinClusterAsync(ClusterNode cluster)
    {
        cluster.AttachTo(System);
        var parts = new SingletonParts(cluster.Settings.NodeId, _orchestratorFactory, Context(), cluster.Inbox, Settings.Cluster!,
            _loggerFactory.CreateLogger("Autopilot.Cluster.Singleton"));
        _singleton = new SingletonHost(System, cluster.Singleton, Journal, parts, Settings.ShutdownTimeout / 4);
        _singleton.Start();
        _journalStarted = true;
        await cluster.StartAsync(_stopping.Token).ConfigureAwait(false);
        _intakeOpen = true;
        _log.LogInformation("Joined the cluster as {Node} (incarnation {Incarnation}) with the {Plugin} journal; the orchestrator runs on the holder of lease '{Lease}'",
            cluster.Settings.NodeId, cluster.Membership.Incarnation, Settings.Journal.Plugin, SingletonLeaseName);
    }

    private void RegisterShutdownTasks()
    {
        var shutdown = CoordinatedShutdown.Get(System);
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "close-webhook-intake", () =>
        {
            _intakeOpen = false;
            _log.LogInformation("Webhook intake closed");
            return Task.CompletedTask;
        });
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "await-in-flight-actions", AwaitInFlightActionsAsync);
        // The singleton is handed over while the lease is still held (so its stop is recorded), before cluster-leave
        // releases it; a downed node has no lease left, whatever its own clock says, and stops it at once.
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeClusterShutdown, "stop-singleton", () =>
            (shutdown.ShutdownReason is CoordinatedShutdown.ClusterLeavingReason
                ? _singleton?.StopAsync("this node was downed or superseded", graceful: false)
                : _singleton?.StopAsync("this node is leaving the cluster", graceful: true))
            ?? Task.CompletedTask);
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "stop-tree-and-close-journal", StopTreeAndCloseJournalAsync);
    }

    private async Task AwaitInFlightActionsAsync()
    {
        var orchestrator = Orchestrator;
        if (orchestrator is null)
        {
            return;
        }

        // Give running actions the phase's budget to finish; whatever is still pending is recorded as failed by the
        // workers when they stop (the protocol's contract), so nothing is lost silently.
        var deadline = _time.GetUtcNow() + Settings.ShutdownTimeout / 2;
        while (_time.GetUtcNow() < deadline)
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
            catch (Exception e) when (e is TimeoutException or AskTimeoutException or InvalidCastException)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), _time).ConfigureAwait(false);
        }
    }

    private async Task StopTreeAndCloseJournalAsync()
    {
        var budget = Settings.ShutdownTimeout / 4;
        foreach (var actor in new[] { _intake, _orchestrator })
        {
            if (actor is not null && !await ActorStopper.StopAsync(System, actor, budget).ConfigureAwait(false))
            {
                _log.LogWarning("{Actor} did not stop within {Budget}", actor.Path, budget);
            }
        }

        _orchestrator = null;
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_plugin is not null)
        {
            await _plugin.DisposeAsync().ConfigureAwait(false);
            _plugin = null;
        }

        DisposeOwned();
        _log.LogInformation("Journal closed");
    }
}
