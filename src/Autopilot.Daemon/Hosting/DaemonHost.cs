using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Logger.Serilog;
using Akka.Persistence.Sql.Hosting;
using Autopilot.Agents.Configuration;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Serialization;
using Autopilot.Daemon.Audit;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Http;
using Autopilot.Daemon.Http.Auth;
using Autopilot.Daemon.Http.Webhooks;
using Autopilot.Daemon.Intake;
using Autopilot.Daemon.Logging;
using Autopilot.Daemon.Metrics;
using Autopilot.Daemon.Persistence;
using Autopilot.Daemon.Runtime;
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
        AgentsSettings.FromConfig(config);

        var redactor = new Redactor();
        foreach (var secret in settings.Platforms.SecretValues.Concat(settings.ApiTokens.Select(t => t.Token)))
        {
            redactor.Register(secret);
        }

        redactor.Register(settings.Journal.Plugin == JournalSelection.PostgreSql ? settings.Journal.ConnectionString : null);
        var serilog = DaemonLogging.Create(redactor, options.JsonLogs, options.LogOutput, DaemonLoggingSettings.FromConfig(config));
        // Akka.Logger.Serilog writes Akka's log events to Serilog's process-wide logger: point it at this pipeline.
        Log.Logger = serilog;

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = options.WorkingDirectory ?? Directory.GetCurrentDirectory(),
        });
        builder.Logging.ClearProviders();
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
        builder.Services.AddSingleton(new ApiTokenAuthenticator(settings.ApiTokens));
        builder.Services.AddSingleton<DaemonRuntime>();
        builder.Services.AddSingleton<OrchestratorClient>();
        builder.Services.AddSingleton<WebhookIntakeGateway>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<JournalHealthProbe>());
        builder.Services.AddAkka(ActorSystemName, (akka, sp) => ConfigureAkka(akka, sp, config, settings, database, options.OrchestratorFactory));
        builder.Services.AddHostedService<AuditMetricsProjection>();
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
        app.MapHealthEndpoints();
        app.MapMetricsEndpoints();
        app.MapWebhookEndpoints();
        var api = app.MapGroup("/api");
        api.MapAdminReadEndpoints();
        api.MapAdminCommandEndpoints();
        api.MapAuditStreamEndpoints();
        api.MapClusterEndpoints();
        return app;
    }

    /// <summary>
    /// The actor system: the daemon's HOCON, the SQL journal and snapshot store on the prepared database, the agents'
    /// serializer and audit tagger bound to that journal, Akka's log into Serilog, then the actors and the stop sequence.
    /// </summary>
    /// <summary>
    /// The journal and snapshot store exactly as the daemon runs them (the benchmarks measure this, not a look-alike):
    /// the prepared database, the agents' serializer and audit tagger bound to the SQL journal, and the configuration's
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
        akka.WithActors((system, registry, _) =>
        {
            var runtime = services.GetRequiredService<DaemonRuntime>();
            var owned = new List<IDisposable>();
            try
            {
                registry.Register<RestartCounter>(RestartCounter.Start(system, runtime.Metrics));
                var audit = new AuditQueries(system, database);
                var auditCountFrom = audit.EndOffsetAsync(AuditEvents.Tag, CancellationToken.None).GetAwaiter().GetResult();
                var orchestrator = orchestratorFactory(system, runtime.OrchestratorContext(owned));
                var intake = system.ActorOf(WebhookIntake.Supervised(settings.Intake, runtime.Metrics), "intake");
                var handover = system.ActorOf(DeliveryHandover.Supervised(orchestrator, audit.ReadJournal, settings.Intake, runtime.Metrics), "handover");
                registry.Register<OrchestratorActor>(orchestrator);
                registry.Register<WebhookIntake>(intake);
                registry.Register<DeliveryHandover>(handover);
                RegisterStopSequence(system, runtime, settings, owned);
                runtime.Attach(system, audit, auditCountFrom, orchestrator, intake, handover);
            }
            catch (Exception e)
            {
                foreach (var resource in owned)
                {
                    resource.Dispose();
                }

                runtime.Fail(e);
                throw;
            }
        });
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
