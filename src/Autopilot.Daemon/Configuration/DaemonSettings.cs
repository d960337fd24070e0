using Autopilot.Actors.Configuration;
using Autopilot.Actors.Sql;

namespace Autopilot.Daemon.Configuration;

/// <summary>
/// Everything the daemon reads from <c>autopilot.daemon</c>, <c>autopilot.http</c>, <c>autopilot.persistence</c>,
/// <c>autopilot.api</c> and <c>autopilot.platforms</c>, validated once at start so a typo fails the start with
/// the key's name instead of surfacing later.
/// </summary>
/// <param name="NodeName">Name of this node.</param>
/// <param name="DataDirectory">Absolute path of the local state directory.</param>
/// <param name="ShutdownTimeout">Budget of a graceful stop.</param>
/// <param name="AskTimeout">How long admin commands wait for the orchestrator.</param>
/// <param name="Http">The HTTP edge.</param>
/// <param name="Journal">The journal back end.</param>
/// <param name="QueryPollInterval">Poll interval of live journal queries.</param>
/// <param name="ApiTokens">Admin API tokens that have a value.</param>
/// <param name="Platforms">Credentials and endpoints of each platform.</param>
/// <param name="Cluster">Cluster membership of this node, or null when it runs alone (<c>autopilot.cluster.enabled = off</c>).</param>
public sealed record DaemonSettings(
    string NodeName,
    string DataDirectory,
    TimeSpan ShutdownTimeout,
    TimeSpan AskTimeout,
    HttpSettings Http,
    JournalSelection Journal,
    TimeSpan QueryPollInterval,
    IReadOnlyList<ApiTokenSettings> ApiTokens,
    PlatformSettings Platforms,
    DaemonClusterSettings? Cluster)
{
    /// <summary>Reads and validates the settings.</summary>
    /// <param name="config">The effective configuration (see <see cref="DaemonConfiguration.Load"/>).</param>
    /// <param name="workingDirectory">Base of relative paths; the current directory when null.</param>
    /// <exception cref="ConfigurationException">A key is missing or invalid; the message and <see cref="ConfigurationException.Path"/> name it.</exception>
    public static DaemonSettings FromConfig(Config config, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var baseDir = workingDirectory ?? Directory.GetCurrentDirectory();
        var dataDir = Path.GetFullPath(NonEmpty(config, "autopilot.daemon.data-dir"), baseDir);
        var nodeName = NonEmpty(config, "autopilot.daemon.node-name");
        var http = HttpSettings.FromConfig(config);
        var journal = JournalSelection.FromConfig(config, dataDir);
        return new DaemonSettings(
            nodeName,
            dataDir,
            Positive(config, "autopilot.daemon.shutdown-timeout"),
            Positive(config, "autopilot.daemon.ask-timeout"),
            http,
            journal,
            Positive(config, "autopilot.persistence.query-poll-interval"),
            ApiTokenSettings.FromConfig(config),
            PlatformSettings.FromConfig(config),
            DaemonClusterSettings.FromConfig(config, nodeName, journal, http));
    }

    internal static string NonEmpty(Config config, string key)
    {
        var value = config.GetString(key);
        return string.IsNullOrWhiteSpace(value)
            ? throw new ConfigurationException($"Configuration key '{key}' must not be empty.", key)
            : value.Trim();
    }

    internal static TimeSpan Positive(Config config, string key)
    {
        var value = config.GetTimeSpan(key);
        return value <= TimeSpan.Zero
            ? throw new ConfigurationException($"Configuration key '{key}' must be a positive duration (was {value}).", key)
            : value;
    }

    internal static string? Optional(Config config, string key)
    {
        var value = config.GetString(key, null);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}

/// <summary>The HTTP edge (<c>autopilot.http</c>).</summary>
/// <param name="Host">Bind address.</param>
/// <param name="Port">TCP port (0 picks a free one).</param>
/// <param name="MaxWebhookBodyBytes">Largest accepted webhook body.</param>
/// <param name="RateLimitPermits">Admin requests per token per window.</param>
/// <param name="RateLimitWindow">The rate-limit window.</param>
/// <param name="SseKeepAlive">Interval of keep-alive comments on the audit stream.</param>
public sealed record HttpSettings(string Host, int Port, long MaxWebhookBodyBytes, int RateLimitPermits, TimeSpan RateLimitWindow, TimeSpan SseKeepAlive)
{
    internal static HttpSettings FromConfig(Config config)
    {
        const string portKey = "autopilot.http.port";
        var port = config.GetInt(portKey);
        if (port is < 0 or > 65535)
        {
            throw new ConfigurationException($"Configuration key '{portKey}' must be a TCP port between 0 and 65535 (was {port}).", portKey);
        }

        const string bodyKey = "autopilot.http.max-webhook-body";
        var maxBody = config.GetByteSize(bodyKey);
        if (maxBody <= 0)
        {
            throw new ConfigurationException($"Configuration key '{bodyKey}' must be a positive byte size.", bodyKey);
        }

        const string permitsKey = "autopilot.http.rate-limit.permits";
        var permits = config.GetInt(permitsKey);
        if (permits <= 0)
        {
            throw new ConfigurationException($"Configuration key '{permitsKey}' must be at least 1 (was {permits}).", permitsKey);
        }

        return new HttpSettings(
            DaemonSettings.NonEmpty(config, "autopilot.http.host"),
            port,
            maxBody,
            permits,
            DaemonSettings.Positive(config, "autopilot.http.rate-limit.window"),
            DaemonSettings.Positive(config, "autopilot.http.sse-keepalive"));
    }
}

/// <summary>Which journal back end to use and how to reach it (<c>autopilot.persistence.journal</c>).</summary>
/// <param name="Plugin">inmem, sqlite or postgresql.</param>
/// <param name="ConnectionString">The back end's connection string (a secret: never logged).</param>
public sealed record JournalSelection(string Plugin, string? ConnectionString)
{
    /// <summary>Never prints the connection string, which may hold a password.</summary>
    public override string ToString() => $"JournalSelection {{ Plugin = {Plugin} }}";

    internal static JournalSelection FromConfig(Config config, string dataDirectory)
    {
        var plugin = DaemonSettings.NonEmpty(config, PersistencePlugins.PluginKey).ToLowerInvariant();
        return plugin switch
        {
            PersistencePlugins.InMemory => new JournalSelection(plugin, null),
            PersistencePlugins.Sqlite => new JournalSelection(plugin,
                DaemonSettings.Optional(config, PersistencePlugins.SqliteConnectionStringKey)
                ?? $"Data Source={Path.Combine(dataDirectory, "autopilot.db")}"),
            PersistencePlugins.PostgreSql => new JournalSelection(plugin,
                DaemonSettings.Optional(config, PersistencePlugins.PostgresConnectionStringKey)
                ?? throw new ConfigurationException(
                    $"Configuration key '{PersistencePlugins.PostgresConnectionStringKey}' must be set when '{PersistencePlugins.PluginKey}' is postgresql "
                    + "(or set AUTOPILOT_POSTGRES_CONNECTION_STRING).", PersistencePlugins.PostgresConnectionStringKey)),
            _ => throw new ConfigurationException(
                $"Configuration key '{PersistencePlugins.PluginKey}' is '{plugin}', but one of '{PersistencePlugins.InMemory}', "
                + $"'{PersistencePlugins.Sqlite}', '{PersistencePlugins.PostgreSql}' was expected.", PersistencePlugins.PluginKey),
        };
    }
}
