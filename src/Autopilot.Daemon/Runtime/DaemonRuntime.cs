using Autopilot.Actors;
using Autopilot.Actors.Configuration;
using Autopilot.Actors.Persistence;
using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.Query;
using Autopilot.Actors.Persistence.Serialization;
using Autopilot.Actors.Sql;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Protocol;
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
    private PersistencePlugin? _plugin;
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
    public DaemonRuntime(Config config, DaemonSettings settings, OrchestratorFactory orchestratorFactory, AutopilotMetrics metrics, TimeProvider time, ILoggerFactory loggerFactory, Redactor redactor)
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
        RegisterShutdownTasks();
    }

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

    /// <summary>The orchestrator, or null while starting.</summary>
    public IActorRef? Orchestrator => _orchestrator;

    /// <summary>The webhook intake, or null while starting or after intake was closed for shutdown.</summary>
    public IActorRef? Intake => _intakeOpen ? _intake : null;

    /// <summary>True once the journal is up and the actor tree exists, until shutdown begins.</summary>
    public bool IsReady => _orchestrator is not null && _intakeOpen && Journal.Health.Status == JournalStatus.Healthy;

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
            var orchestrator = _orchestratorFactory(System, new OrchestratorContext(_config, Settings, _time, _loggerFactory, Metrics, _redactor, _owned));
            _intake = System.ActorOf(BackoffSupervisor.Props(new BackoffOptions(
                WebhookIntake.Props(orchestrator, _time, Metrics), "webhook-intake",
                TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), 0.2)), "intake");
            _intakeOpen = true;
            _orchestrator = orchestrator;
            _log.LogInformation("Ready: journal {Plugin} started, orchestrator at {Path}", Settings.Journal.Plugin, orchestrator.Path);
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
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "stop-tree-and-close-journal", StopTreeAndCloseJournalAsync);
    }

    private async Task AwaitInFlightActionsAsync()
    {
        var orchestrator = _orchestrator;
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
