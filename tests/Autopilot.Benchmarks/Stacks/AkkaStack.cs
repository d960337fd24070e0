using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using Autopilot.Agents.Serialization;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Hosting;
using Autopilot.Daemon.Intake;
using Autopilot.Daemon.Persistence;
using LinqToDB;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Autopilot.Benchmarks.Stacks;

/// <summary>An actor system started through Akka.Hosting (a Generic Host around it); dispose to stop both.</summary>
internal sealed class RunningSystem(IHost host, ActorSystem system, JournalDatabase? database) : IAsyncDisposable
{
    public ActorSystem System => system;

    /// <summary>The daemon's journal database object, for the "shipped" stack; null for the plugin's defaults.</summary>
    public JournalDatabase? Database => database;

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }
}

/// <summary>
/// The two ways the benchmarks start Akka.Persistence.Sql: with nothing but a connection string (the plugin's defaults,
/// as Akka.Hosting's <c>WithSqlPersistence</c> gives them), and exactly as <c>autopilotd</c> does.
/// </summary>
internal static class AkkaStack
{
    /// <summary>Akka.Persistence.Sql with only the connection string: every other setting is the plugin's default.</summary>
    /// <param name="trace">linq2db's trace callback (breakdown runs only), or null.</param>
    public static Func<Task<RunningSystem>> PluginDefaults(string providerName, string connectionString, Action<LinqToDB.Data.TraceInfo>? trace = null) => async () =>
    {
        var options = new DataOptions().UseConnectionString(providerName, connectionString);
        if (trace is not null)
        {
            options = options.UseTracing(System.Diagnostics.TraceLevel.Info, trace);
        }

        return await StartAsync(akka => akka.WithSqlPersistence(options, autoInitialize: true), database: null);
    };

    /// <summary>
    /// The daemon's persistence, built from the daemon's own public pieces: its configuration loader and embedded
    /// defaults (<see cref="DaemonConfiguration.Load"/>, so <c>akka.persistence.journal.sql</c> batch size and
    /// parallelism and the read-journal tuning are the shipped ones), <see cref="DaemonSettings"/>, its
    /// <see cref="JournalDatabase"/> (SQLite switched to WAL before Akka opens it; <c>synchronous</c> and the busy
    /// timeout set on every connection by its linq2db interceptor) and the agents' serializer and audit tagger bindings.
    /// </summary>
    /// <remarks>
    /// The three Akka.Hosting calls below mirror <c>DaemonHost.ConfigureAkka</c>, which is private; see the report:
    /// a public <c>DaemonHost.ConfigurePersistence(AkkaConfigurationBuilder, Config, JournalDatabase)</c> would let this
    /// call the daemon's code instead.
    /// </remarks>
    /// <param name="plugin"><c>sqlite</c> or <c>postgresql</c> (<c>autopilot.persistence.journal.plugin</c>).</param>
    /// <param name="connectionString">The journal database.</param>
    /// <param name="extraHocon">More HOCON over the daemon's (e.g. <c>autopilot.persistence.sqlite.synchronous = full</c>).</param>
    /// <param name="trace">linq2db's trace callback (breakdown runs only), or null.</param>
    public static Func<Task<RunningSystem>> Daemon(string plugin, string connectionString, string extraHocon = "", Action<LinqToDB.Data.TraceInfo>? trace = null) => async () =>
    {
        var (config, settings) = DaemonConfig(plugin, connectionString, extraHocon);
        var database = new JournalDatabase(settings.Journal);
        try
        {
            return await StartAsync(akka =>
            {
                var options = database.DataOptions();
                if (trace is not null)
                {
                    options = options.UseTracing(System.Diagnostics.TraceLevel.Info, trace);
                }

                DaemonHost.ConfigurePersistence(akka, config, database, options);
            }, database);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    };

    /// <summary>The daemon's effective configuration for <paramref name="plugin"/> on <paramref name="connectionString"/>, no environment.</summary>
    public static (Config Config, DaemonSettings Settings) DaemonConfig(string plugin, string connectionString, string extraHocon = "")
    {
        var overrides = $"""
            autopilot.persistence.journal.plugin = {plugin}
            autopilot.persistence.journal.{plugin}.connection-string = "{connectionString.Replace("\\", "\\\\")}"
            {extraHocon}
            """;
        var config = DaemonConfiguration.Load(null, overrides, environment: _ => null);
        return (config, DaemonSettings.FromConfig(config));
    }

    private static async Task<RunningSystem> StartAsync(Action<AkkaConfigurationBuilder> persistence, JournalDatabase? database)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddAkka("bench", akka =>
        {
            persistence(akka);
            // Quiet: the benchmark prints its own figures. Not a persistence setting.
            akka.AddHocon("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING", HoconAddMode.Prepend);
        });
        var host = builder.Build();
        await host.StartAsync();
        return new RunningSystem(host, host.Services.GetRequiredService<ActorSystem>(), database);
    }
}
