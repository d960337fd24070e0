using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Cluster.Hosting;
using Akka.Logger.Serilog;
using Akka.Persistence.Sql.Hosting;
using Autopilot.Agents.Configuration;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Serialization;
using Autopilot.Daemon.Audit;
using Autopilot.Daemon.Cluster;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Dashboard;
using Autopilot.Daemon.Http;
using Autopilot.Daemon.Http.Auth;
using Autopilot.Daemon.Http.Webhooks;
using Autopilot.Daemon.Intake;
using Autopilot.Daemon.Logging;
using Autopilot.Daemon.Metrics;
using Autopilot.Daemon.Persistence;
using Autopilot.Daemon.Runtime;
using Autopilot.Daemon.SelfWatch;
using Autopilot.Platforms.PostgreSql;
using Autopilot.Platforms.Redaction;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;

namespace Autopilot.Daemon.Hosting;

/// <summary>
/// Builds the daemon: configuration (Akka HOCON: overrides, file, embedded defaults, environment) validated up front,
/// Serilog with redaction, the actor system through Akka.Hosting (<c>AddAkka</c>: HOCON, Akka.Persistence.Sql journal and
/// snapshot store, the agents' serializer and audit tagger, Akka's log into Serilog, the actors in <c>WithActors</c> and
/// the <see cref="ActorRegistry"/>, the stop sequence on <see cref="CoordinatedShutdown"/>), and the HTTP edge on Kestrel.
/// </summary>
public static class DaemonHost
{
    /// <summary>The actor system's name.</summary>
    public const string ActorSystemName = "autopilotd";

    /// <summary>The journal plugin the daemon configures (Akka.Persistence.Sql's default identifier).</summary>
    public const string JournalPluginPath = "akka.persistence.journal.sql";

    /// <summary>Builds a host that is ready to run.</summary>
    /// <exception cref="ConfigurationException">The configuration is invalid (a <see cref="SettingException"/> names the key).</exception>
    public static WebApplication Build(DaemonHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = DaemonConfiguration.Load(options.ConfigFile, options.Overrides, options.EnvironmentVariables);
        var settings = DaemonSettings.FromConfig(config, options.WorkingDirectory);
        // The agents' section is validated here too, so a typo in the policy table fails the start (exit 2), not the tree.
        var agents = AgentsSettings.FromConfig(config);
        var selfWatch = SelfWatchSettings.FromConfig(config);

        var redactor = new Redactor();
        foreach (var secret in settings.Platforms.SecretValues.Concat(settings.ApiTokens.Select(t => t.Token)))
        {
            redactor.Register(secret);
        }

        ConnectionStringSecrets.Register(redactor, settings.Journal.Plugin == JournalSelection.PostgreSql ? settings.Journal.ConnectionString : null);
        ConnectionStringSecrets.Register(redactor, settings.Cluster.LeaseConnectionString);
        foreach (var target in agents.Migrations?.Targets ?? [])
        {
            ConnectionStringSecrets.Register(redactor, target.ConnectionString);
        }

        var serilog = DaemonLogging.Create(redactor, options.JsonLogs, options.LogOutput, DaemonLoggingSettings.FromConfig(config));
        // Akka.Logger.Serilog writes Akka's log events to Serilog's process-wide logger: point it at this pipeline.
        Log.Logger = serilog;

        // The empty builder, not the slim one: the daemon reads only its own HOCON, so none of ASP.NET Core's
        // configuration sources; the slim builder's appsettings.json reload watched the working directory
        // recursively, the data directory included, and woke for every journal write.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = options.WorkingDirectory ?? Directory.GetCurrentDirectory(),
        });
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        // Serilog.AspNetCore: every ILogger (ASP.NET Core, the daemon, the agents) and the request log into this pipeline.
        builder.Services.AddSerilog(serilog, dispose: true);
        builder.WebHost.UseUrls($"http://{settings.Http.Host}:{settings.Http.Port}");
        options.ConfigureWebHost?.Invoke(builder.WebHost);

        var database = new JournalDatabase(settings.Journal);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.ShutdownTimeout + TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(redactor);
        builder.Services.AddSingleton(options.Time);
        builder.Services.AddSingleton(options.OrchestratorFactory);
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton<JournalHealth>();
        builder.Services.AddSingleton<JournalHealthProbe>();
        builder.Services.AddSingleton<AutopilotMetrics>();
        builder.Services.AddSingleton(selfWatch);
        builder.Services.AddSingleton<SelfWatchMeasurements>();
        builder.Services.AddSingleton(new ApiTokenAuthenticator(settings.ApiTokens));
        builder.Services.AddSingleton<DaemonRuntime>();
        builder.Services.AddSingleton<OrchestratorClient>();
        builder.Services.AddSingleton<AuditFeed>();
        builder.Services.AddSingleton<WebhookIntakeGateway>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<JournalHealthProbe>());
        builder.Services.AddAkka(ActorSystemName, (akka, sp) => ConfigureAkka(akka, sp, config, settings, database, options.OrchestratorFactory));
        builder.Services.AddHostedService<AuditMetricsProjection>();
        // Approval presses by long polling, or the webhook's registration (nothing without a bot token).
        builder.Services.AddHostedService<Autopilot.Daemon.Telegram.TelegramUpdatesService>();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
        });
        // Budgets per client address (failed authentications, webhooks) and per authenticated token: see ClientRateLimits.
        builder.Services.AddSingleton<ClientRateLimits>();
        builder.Services.AddSingleton<SecurityEventFolder>();
        // After AddAkka: stopped before the actor system, so the last folded counts are still journaled.
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SecurityEventFolder>());

        var app = builder.Build();
        // One line per request (path without query string, status, elapsed); probes and scrapes only at Debug.
        app.UseSerilogRequestLogging(o =>
        {
            // This daemon's logger, not the process-wide Log.Logger (an embedding host may run several daemons).
            o.Logger = serilog;
            o.GetLevel = RequestLogLevel;
        });
        app.UseDaemonHttpMetrics();
        app.UseSelfWatchTiming();
        app.MapHealthEndpoints();
        app.MapMetricsEndpoints();
        app.MapWebhookEndpoints();
        var api = app.MapGroup("/api");
        api.MapAdminReadEndpoints();
        api.MapAdminCommandEndpoints();
        api.MapApprovalEndpoints();
        api.MapAuditStreamEndpoints();
        api.MapClusterEndpoints();
        api.MapGateEndpoints();
        api.MapTaskEndpoints();
        api.MapDashboardEndpoints();
        app.MapDashboardPage();
        return app;
    }

    /// <summary>
    /// The journal and snapshot store exactly as the daemon runs them (the benchmarks measure this, not a look-alike):
    /// the prepared database, the agents' serializer, audit tagger and the delivery tagger bound to the SQL journal, and the configuration's
    /// own <c>akka.*</c> keys on top.
    /// </summary>
    /// <param name="akka">The actor system being configured.</param>
    /// <param name="config">The daemon's effective configuration (see <see cref="DaemonConfiguration.Load"/>).</param>
    /// <param name="database">The journal's database; prepared here (WAL on before Akka opens a SQLite file).</param>
    /// <param name="dataOptions">Its linq2db options (<see cref="JournalDatabase.DataOptions"/>, e.g. with tracing added).</param>
    public static void ConfigurePersistence(AkkaConfigurationBuilder akka, Config config, JournalDatabase database, LinqToDB.DataOptions dataOptions)
    {
        ArgumentNullException.ThrowIfNull(akka);
        ArgumentNullException.ThrowIfNull(database);
        // WAL must be on before Akka opens the file; inmem's memory database must stay alive while Akka uses it.
        database.Prepare();
        akka.WithSqlPersistence(dataOptions, autoInitialize: true);
        akka.AddHocon(AgentsPersistence.Hocon(JournalPluginPath, typeof(DeliveryStored).Assembly), HoconAddMode.Prepend);
        akka.AddHocon(DeliveryTagger.Hocon(JournalPluginPath), HoconAddMode.Prepend);
        // Last and on top: the operator's and the daemon's own akka.* keys (read-journal latency, batch size, shutdown
        // phases) win over the plugins' generated defaults.
        akka.AddHocon(config, HoconAddMode.Prepend);
    }

    private static void ConfigureAkka(AkkaConfigurationBuilder akka, IServiceProvider services, Config config, DaemonSettings settings,
        JournalDatabase database, OrchestratorFactory orchestratorFactory)
    {
        akka.ConfigureLoggers(loggers =>
        {
            loggers.ClearLoggers();
            loggers.AddLogger<SerilogLogger>();
        });
        ConfigurePersistence(akka, config, database, database.DataOptions());
        if (settings.Cluster.Enabled)
        {
            // After the daemon's own HOCON, so the resolved lease connection string wins over its empty default.
            DaemonCluster.Configure(akka, settings.Cluster);
        }

        var runtime = services.GetRequiredService<DaemonRuntime>();
        var start = new ActorsStart(runtime);
        // Every node: the restart counter, the read side of the journal and this node's own webhook intake.
        akka.WithActors((system, registry, _) => start.Guard(() =>
        {
            registry.Register<RestartCounter>(RestartCounter.Start(system, runtime.Metrics));
            start.Audit = new AuditQueries(system, database);
            start.AuditCountFrom = start.Audit.EndOffsetAsync(AuditEvents.Tag, CancellationToken.None).GetAwaiter().GetResult();
            var intakeId = settings.Cluster.Enabled ? WebhookIntake.StreamIdOf(settings.Cluster.SelfHostPort) : WebhookIntake.StreamId;
            registry.Register<WebhookIntake>(system.ActorOf(WebhookIntake.Supervised(settings.Intake, runtime.Metrics, intakeId), "intake"));
            // The dashboard: this node's probe records into the journal, and the in-memory window its endpoints read.
            ProbeRecorder.Start(system, settings.Cluster.Enabled ? ProbeRecorder.StreamIdOf(settings.Cluster.SelfHostPort) : ProbeRecorder.StreamId);
            registry.Register<DashboardView>(system.ActorOf(DashboardView.Props(start.Audit.ReadJournal), "dashboard-view"));
            if (settings.Cluster is { Enabled: true, DownCrashedMembers: true })
            {
                system.ActorOf(CrashedMemberDowning.Props(settings.Cluster.CrashConfirmAfter, TimeSpan.FromSeconds(1)), "crashed-member-downing");
            }
        }));
        // The orchestrator and the hand-over into it: here on a single node; on the oldest node of a cluster, each as a
        // singleton under the PostgreSQL lease, with a proxy on every node (registered under the same key).
        Props Orchestrator(ActorSystem system) => start.Guard(() => orchestratorFactory(system, runtime.OrchestratorContext(system, start.Owned)));
        Props Handover(IActorRef orchestrator) => DeliveryHandover.Supervised(orchestrator, start.Audit!.ReadJournal, settings.Intake, runtime.Metrics);
        if (settings.Cluster.Enabled)
        {
            akka.WithSingleton<OrchestratorActor>(AutopilotTree.OrchestratorName, (system, _, _) => Orchestrator(system));
            akka.WithSingleton<DeliveryHandover>(DeliveryHandover.SingletonName, (_, registry, _) => Handover(registry.Get<OrchestratorActor>()));
        }
        else
        {
            akka.WithActors((system, registry, _) => start.Guard(() =>
            {
                var orchestrator = system.ActorOf(Orchestrator(system), AutopilotTree.OrchestratorName);
                registry.Register<OrchestratorActor>(orchestrator);
                registry.Register<DeliveryHandover>(system.ActorOf(Handover(orchestrator), DeliveryHandover.SingletonName));
            }));
        }

        akka.WithActors((system, registry, _) => start.Guard(() =>
        {
            RegisterStopSequence(system, runtime, settings, start.Owned);
            runtime.Attach(system, start.Audit!, start.AuditCountFrom, registry.Get<OrchestratorActor>(), registry.Get<WebhookIntake>(),
                registry.Get<DeliveryHandover>());
            StartSelfWatch(system, runtime, services);
        }));
    }

    /// <summary>The daemon watching itself (<c>/user/self-watch</c>, every node), alerting through the orchestrator.</summary>
    private static void StartSelfWatch(ActorSystem system, DaemonRuntime runtime, IServiceProvider services)
    {
        // The queue depths are on /metrics (autopilot_queue_depth, which the shipped Prometheus rules use) with the
        // self-watch on or off.
        var measurements = services.GetRequiredService<SelfWatchMeasurements>();
        measurements.AddQueue("intake", () => MailboxDepth.Of(runtime.Intake));
        // The task queue is one, in the orchestrator singleton: only the member running it measures it, so a cluster
        // raises one alert (and exports one series) for it rather than one per member asking through its proxy.
        var tasks = new TaskQueueDepth(services.GetRequiredService<OrchestratorClient>());
        measurements.AddQueue("tasks", () => runtime.Place is { HostsSingletons: true } ? tasks.Read() : null);
        var settings = services.GetRequiredService<SelfWatchSettings>();
        if (!settings.Enabled)
        {
            return;
        }

        system.ActorOf(SelfWatcher.Props(runtime.Settings.NodeName, SelfWatchChecks.For(settings, measurements, runtime, system), settings.Interval,
            () => runtime.Orchestrator, runtime.SelfWatch, runtime.Metrics, runtime.Redactor, runtime.LoggerFactory.CreateLogger<SelfWatcher>()), "self-watch");
    }

    /// <summary>What the <c>WithActors</c> steps of one start share, and the clean-up when one of them fails.</summary>
    private sealed class ActorsStart(DaemonRuntime runtime)
    {
        public List<IDisposable> Owned { get; } = [];

        public AuditQueries? Audit { get; set; }

        public long AuditCountFrom { get; set; }

        public void Guard(Action step) => Guard(() =>
        {
            step();
            return 0;
        });

        public T Guard<T>(Func<T> step)
        {
            try
            {
                return step();
            }
            catch (Exception e)
            {
                foreach (var resource in Owned)
                {
                    resource.Dispose();
                }

                Owned.Clear();
                runtime.Fail(e);
                throw;
            }
        }
    }

    /// <summary>
    /// The stop sequence on Akka's <see cref="CoordinatedShutdown"/>: service-unbind closes the webhook intake;
    /// service-requests-done waits for in-flight actions (or leaves them to be recorded as cut off); before the actor
    /// system terminates, the hand-over, the intake and the orchestrator stop after their queued messages and the
    /// platform clients are disposed; the journal closes last, with the actor system.
    /// </summary>
    private static void RegisterStopSequence(ActorSystem system, DaemonRuntime runtime, DaemonSettings settings, List<IDisposable> owned)
    {
        var shutdown = CoordinatedShutdown.Get(system);
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "close-webhook-intake", async () =>
        {
            await runtime.CloseIntakeAsync().ConfigureAwait(false);
            return Done.Instance;
        });
        var requestsDone = PhaseTimeout(system, CoordinatedShutdown.PhaseServiceRequestsDone);
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "await-in-flight-actions", async () =>
        {
            await runtime.AwaitInFlightActionsAsync(Min(settings.ShutdownTimeout / 2, requestsDone - TimeSpan.FromSeconds(1))).ConfigureAwait(false);
            return Done.Instance;
        });
        var beforeTerminate = PhaseTimeout(system, CoordinatedShutdown.PhaseBeforeActorSystemTerminate);
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "stop-actors", async () =>
        {
            await runtime.StopActorsAsync(Min(settings.ShutdownTimeout / 4, beforeTerminate / 4)).ConfigureAwait(false);
            foreach (var resource in owned)
            {
                resource.Dispose();
            }

            owned.Clear();
            return Done.Instance;
        });
        shutdown.AddTask(CoordinatedShutdown.PhaseActorSystemTerminate, "close-journal-database", async () =>
        {
            await runtime.Database.DisposeAsync().ConfigureAwait(false);
            return Done.Instance;
        });
    }

    private static TimeSpan PhaseTimeout(ActorSystem system, string phase)
    {
        var timeout = system.Settings.Config.GetTimeSpan($"akka.coordinated-shutdown.phases.{phase}.timeout", TimeSpan.FromSeconds(5));
        return timeout > TimeSpan.FromSeconds(2) ? timeout : TimeSpan.FromSeconds(2);
    }

    private static Serilog.Events.LogEventLevel RequestLogLevel(HttpContext http, double elapsedMs, Exception? error)
    {
        if (error is not null || http.Response.StatusCode >= StatusCodes.Status500InternalServerError)
        {
            return Serilog.Events.LogEventLevel.Error;
        }

        var path = http.Request.Path;
        return path.StartsWithSegments("/health") || path.StartsWithSegments("/ready") || path.StartsWithSegments("/metrics")
            ? Serilog.Events.LogEventLevel.Debug
            : Serilog.Events.LogEventLevel.Information;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
