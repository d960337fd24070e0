using Akka.Configuration;
using Autopilot.Agents.Configuration;

namespace Autopilot.Daemon.Configuration;

/// <summary>
/// Everything the daemon reads from <c>autopilot.daemon</c>, <c>autopilot.http</c>, <c>autopilot.persistence</c>,
/// <c>autopilot.intake</c>, <c>autopilot.api</c> and <c>autopilot.platforms</c>, validated once at start so a typo fails
/// the start with the key's name instead of surfacing later.
/// </summary>
/// <param name="NodeName">Name of this node.</param>
/// <param name="DataDirectory">Absolute path of the local state directory.</param>
/// <param name="ShutdownTimeout">Budget of a graceful stop.</param>
/// <param name="AskTimeout">How long admin commands wait for the orchestrator.</param>
/// <param name="Http">The HTTP edge.</param>
/// <param name="Journal">The journal back end.</param>
/// <param name="Intake">Webhook intake: de-duplication window and hand-over to the orchestrator.</param>
/// <param name="ApiTokens">Admin API tokens that have a value.</param>
/// <param name="Platforms">Credentials and endpoints of each platform.</param>
/// <param name="Cluster">Clustered mode (off: a single node without remoting).</param>
public sealed record DaemonSettings(
    string NodeName,
    string DataDirectory,
    TimeSpan ShutdownTimeout,
    TimeSpan AskTimeout,
    HttpSettings Http,
    JournalSelection Journal,
    IntakeSettings Intake,
    IReadOnlyList<ApiTokenSettings> ApiTokens,
    PlatformSettings Platforms,
    ClusterSettings Cluster)
{

    /// <summary>Reads and validates the settings.</summary>
    /// <param name="config">The effective configuration (see <see cref="DaemonConfiguration.Load"/>).</param>
    /// <param name="workingDirectory">Base of relative paths; the current directory when null.</param>
    /// <exception cref="SettingException">A key is missing or invalid; the message and <see cref="SettingException.Key"/> name it.</exception>
    public static DaemonSettings FromConfig(Config config, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var root = new ConfigSection(config, "");
        var baseDir = workingDirectory ?? Directory.GetCurrentDirectory();
        var dataDir = Path.GetFullPath(NonEmpty(root, "autopilot.daemon.data-dir"), baseDir);
        var journal = JournalSelection.FromConfig(root, dataDir);
        return new DaemonSettings(
            NonEmpty(root, "autopilot.daemon.node-name"),
            dataDir,
            root.GetPositiveTimeSpan("autopilot.daemon.shutdown-timeout"),
            root.GetPositiveTimeSpan("autopilot.daemon.ask-timeout"),
            HttpSettings.FromConfig(root),
            journal,
            IntakeSettings.FromConfig(root),
            ApiTokenSettings.FromConfig(root),
            PlatformSettings.FromConfig(root),
            ClusterSettings.FromConfig(root, Hosting.DaemonHost.ActorSystemName, journal));
    }

    internal static string NonEmpty(ConfigSection config, string key)
    {
        var value = config.GetString(key);
        return string.IsNullOrWhiteSpace(value)
            ? throw new SettingException(key, "must not be empty.")
            : value.Trim();
    }

    internal static string? Optional(ConfigSection config, string key)
    {
        var value = config.GetString(key, null);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}

/// <summary>The HTTP edge (<c>autopilot.http</c>).</summary>
/// <param name="Host">Bind address.</param>
/// <param name="Port">TCP port (0 picks a free one).</param>
/// <param name="MaxWebhookBodyBytes">Largest accepted webhook body.</param>
/// <param name="RateLimitPermits">Admin requests per authenticated token per window.</param>
/// <param name="RateLimitWindow">The rate-limit window.</param>
/// <param name="SseKeepAlive">Interval of keep-alive comments on the audit stream.</param>
public sealed record HttpSettings(string Host, int Port, long MaxWebhookBodyBytes, int RateLimitPermits, TimeSpan RateLimitWindow, TimeSpan SseKeepAlive)
{
    /// <summary>
    /// Failed authentications (admin API tokens, webhook signatures and secrets) per client address and
    /// <see cref="RateLimitWindow"/>; a client over it gets 429 for the rest of the window, before its request is looked at.
    /// </summary>
    public int FailedAuthPermits { get; init; } = 20;

    /// <summary>Webhook requests (all sources together) per client address and <see cref="RateLimitWindow"/>; beyond it, 429.</summary>
    public int WebhookPermits { get; init; } = 60_000;

    /// <summary>Repeats of a rejected request (same client, endpoint and reason) within this window are journaled as one event with a count.</summary>
    public TimeSpan SecurityEventFoldWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Most (client, endpoint, reason) sources folded separately; beyond it, new sources share one "many clients" fold per endpoint and reason.</summary>
    public int SecurityEventMaxSources { get; init; } = 10_000;

    internal static HttpSettings FromConfig(ConfigSection config)
    {
        const string portKey = "autopilot.http.port";
        var port = config.GetInt(portKey);
        if (port is < 0 or > 65535)
        {
            throw new SettingException(portKey, $"must be a TCP port between 0 and 65535 (was {port}).");
        }

        const string bodyKey = "autopilot.http.max-webhook-body";
        var maxBody = config.GetByteSize(bodyKey);
        if (maxBody <= 0)
        {
            throw new SettingException(bodyKey, $"must be a positive byte size.");
        }

        const string permitsKey = "autopilot.http.rate-limit.permits";
        var permits = config.GetIntAtLeast(permitsKey, 1);

        return new HttpSettings(
            DaemonSettings.NonEmpty(config, "autopilot.http.host"),
            port,
            maxBody,
            permits,
            config.GetPositiveTimeSpan("autopilot.http.rate-limit.window"),
            config.GetPositiveTimeSpan("autopilot.http.sse-keepalive"))
        {
            FailedAuthPermits = config.GetIntAtLeast("autopilot.http.rate-limit.failed-auth-permits", 1),
            WebhookPermits = config.GetIntAtLeast("autopilot.http.rate-limit.webhook-permits", 1),
            SecurityEventFoldWindow = config.GetPositiveTimeSpan("autopilot.http.security-events.fold-window"),
            SecurityEventMaxSources = config.GetIntAtLeast("autopilot.http.security-events.max-sources", 1),
        };
    }
}

/// <summary>SQLite's <c>PRAGMA synchronous</c> for the journal's connections (<c>autopilot.persistence.sqlite.synchronous</c>).</summary>
public enum SqliteSynchronous
{
    /// <summary>
    /// WAL with <c>synchronous=NORMAL</c> (default): a commit survives a crash of the daemon, but the last commits before a
    /// power loss or an OS crash may be lost (the WAL is synced at checkpoints, not on each commit).
    /// </summary>
    Normal,

    /// <summary>WAL with <c>synchronous=FULL</c>: every commit is synced to disk before the 202; slower.</summary>
    Full,
}

/// <summary>Which journal back end to use and how to reach it (<c>autopilot.persistence</c>).</summary>
/// <param name="Plugin">inmem, sqlite or postgresql.</param>
/// <param name="ConnectionString">The back end's connection string (a secret: never logged); for inmem a private in-memory SQLite database.</param>
/// <param name="Synchronous">SQLite durability of a commit (ignored for PostgreSQL).</param>
public sealed record JournalSelection(string Plugin, string ConnectionString, SqliteSynchronous Synchronous)
{
    /// <summary>Key of the back-end choice.</summary>
    public const string PluginKey = "autopilot.persistence.journal.plugin";

    /// <summary>Key of the SQLite connection string.</summary>
    public const string SqliteConnectionStringKey = "autopilot.persistence.journal.sqlite.connection-string";

    /// <summary>Key of the PostgreSQL connection string.</summary>
    public const string PostgresConnectionStringKey = "autopilot.persistence.journal.postgresql.connection-string";

    /// <summary>Key of SQLite's synchronous mode.</summary>
    public const string SqliteSynchronousKey = "autopilot.persistence.sqlite.synchronous";

    /// <summary>In-memory (tests; nothing survives the process).</summary>
    public const string InMemory = "inmem";

    /// <summary>SQLite file (single node, the default).</summary>
    public const string Sqlite = "sqlite";

    /// <summary>PostgreSQL.</summary>
    public const string PostgreSql = "postgresql";

    /// <summary>True for the two back ends that are SQLite underneath (inmem is a private in-memory SQLite database).</summary>
    public bool IsSqlite => Plugin is Sqlite or InMemory;

    /// <summary>Never prints the connection string, which may hold a password.</summary>
    public override string ToString() => $"JournalSelection {{ Plugin = {Plugin} }}";

    internal static JournalSelection FromConfig(ConfigSection config, string dataDirectory)
    {
        var plugin = DaemonSettings.NonEmpty(config, PluginKey).ToLowerInvariant();
        var syncText = DaemonSettings.NonEmpty(config, SqliteSynchronousKey);
        var synchronous = syncText.ToLowerInvariant() switch
        {
            "normal" => SqliteSynchronous.Normal,
            "full" => SqliteSynchronous.Full,
            _ => throw new SettingException(SqliteSynchronousKey, $"is '{syncText}', but normal or full was expected."),
        };
        return plugin switch
        {
            // A named shared-cache memory database: every connection of this host sees the same data while one stays
            // open (the persistence setup holds one), and nothing is written to disk.
            InMemory => new JournalSelection(plugin, $"Data Source=autopilot-inmem-{Guid.NewGuid():N};Mode=Memory;Cache=Shared", synchronous),
            Sqlite => new JournalSelection(plugin,
                DaemonSettings.Optional(config, SqliteConnectionStringKey)
                ?? $"Data Source={Path.Combine(dataDirectory, "autopilot.db")}", synchronous),
            PostgreSql => new JournalSelection(plugin,
                DaemonSettings.Optional(config, PostgresConnectionStringKey)
                ?? throw new SettingException(PostgresConnectionStringKey,
                    $"must be set when '{PluginKey}' is postgresql (or set AUTOPILOT_POSTGRES_CONNECTION_STRING)."), synchronous),
            _ => throw new SettingException(PluginKey, $"is '{plugin}', but one of '{InMemory}', '{Sqlite}', '{PostgreSql}' was expected."),
        };
    }
}

/// <summary>The webhook intake (<c>autopilot.intake</c>).</summary>
/// <param name="DedupeWindow">How long a delivery id is remembered: a redelivery within it is answered as a duplicate.</param>
/// <param name="SnapshotEvery">Deliveries between snapshots of the intake's and the hand-over's remembered ids at least (shorter recovery); see
/// <c>DeliveryWindow.SnapshotDue</c> for why a large window waits longer.</param>
/// <param name="HandoverTimeout">How long the hand-over waits for the orchestrator to confirm a batch before trying again.</param>
/// <param name="HandoverMaxAttempts">Attempts before a delivery the orchestrator never confirms is recorded as abandoned.</param>
/// <param name="HandoverCheckpointEvery">Confirmed deliveries between checkpoints of the hand-over's position.</param>
/// <param name="HandoverBatchSize">Most deliveries handed to the orchestrator at once (journaled by it in one write).</param>
public sealed record IntakeSettings(TimeSpan DedupeWindow, int SnapshotEvery, TimeSpan HandoverTimeout, int HandoverMaxAttempts, int HandoverCheckpointEvery,
    int HandoverBatchSize)
{
    internal static IntakeSettings FromConfig(ConfigSection config)
    {
        return new IntakeSettings(
            config.GetPositiveTimeSpan("autopilot.intake.dedupe-window"),
            config.GetIntAtLeast("autopilot.intake.snapshot-every", 1),
            config.GetPositiveTimeSpan("autopilot.intake.handover.ask-timeout"),
            config.GetIntAtLeast("autopilot.intake.handover.max-attempts", 1),
            config.GetIntAtLeast("autopilot.intake.handover.checkpoint-every", 1),
            config.GetIntAtLeast("autopilot.intake.handover.batch-size", 1));
    }
}
