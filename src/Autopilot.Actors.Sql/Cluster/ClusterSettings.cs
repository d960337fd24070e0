using System.Reflection;
using System.Text;
using Autopilot.Actors.Configuration;
using Autopilot.Actors.Sql.Connectivity;

namespace Autopilot.Actors.Sql.Cluster;

/// <summary>
/// How this node takes part in the PostgreSQL-coordinated cluster (HOCON section <c>autopilot.cluster</c>).
/// Every duration is measured against the database's clock when it decides something (expiry, failure), so nodes
/// whose clocks disagree still agree on who leads and who is down.
/// </summary>
/// <param name="ConnectionString">Npgsql connection string of the shared database; its password never reaches a log or exception.</param>
/// <param name="NodeId">This node's stable name; a restarted process keeps it and gets a higher incarnation.</param>
public sealed record ClusterSettings(string ConnectionString, string NodeId)
{
    /// <summary>HOCON section of the cluster settings.</summary>
    public const string Section = "autopilot.cluster";

    /// <summary>HOCON key of the connection string (falls back to the PostgreSQL journal's when empty).</summary>
    public const string ConnectionStringKey = Section + ".connection-string";

    /// <summary>HOCON key of the node id (defaults to the machine name when empty).</summary>
    public const string NodeIdKey = Section + ".node-id";

    /// <summary>HOCON key of the address others use to reach this node.</summary>
    public const string AddressKey = Section + ".address";

    /// <summary>HOCON key of the node's roles.</summary>
    public const string RolesKey = Section + ".roles";

    /// <summary>HOCON key of the application version the node advertises.</summary>
    public const string AppVersionKey = Section + ".app-version";

    /// <summary>HOCON key of the heartbeat interval.</summary>
    public const string HeartbeatIntervalKey = Section + ".heartbeat-interval";

    /// <summary>HOCON key of the failure-detection timeout.</summary>
    public const string FailureDetectionTimeoutKey = Section + ".failure-detection-timeout";

    /// <summary>HOCON key of how long a Down member stays listed before it is Removed.</summary>
    public const string DownRemovalMarginKey = Section + ".down-removal-margin";

    /// <summary>HOCON key of the singleton lease duration.</summary>
    public const string LeaseDurationKey = Section + ".lease.duration";

    /// <summary>HOCON key of the singleton lease renew interval.</summary>
    public const string LeaseRenewIntervalKey = Section + ".lease.renew-interval";

    /// <summary>HOCON key of the first wait after a failed start-up attempt.</summary>
    public const string StartupBackoffInitialKey = Section + ".startup-backoff.initial";

    /// <summary>HOCON key of the longest wait between start-up attempts.</summary>
    public const string StartupBackoffMaxKey = Section + ".startup-backoff.max";

    /// <summary>How other nodes and operators reach this node (e.g. <c>http://10.0.0.5:8080</c>); shown in member lists.</summary>
    public string Address { get; init; } = NodeId;

    /// <summary>Roles of this node (informational, e.g. <c>webhooks</c>).</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>Version of the application this node runs, shown in member lists to spot mixed versions in a rollout.</summary>
    public string AppVersion { get; init; } = DefaultAppVersion();

    /// <summary>How often the node records that it is alive (and checks the others).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A member whose last heartbeat is older than this, by the database's clock, is marked Down.</summary>
    public TimeSpan FailureDetectionTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a Down member stays listed as Down (so operators and observers see it) before it is Removed.</summary>
    public TimeSpan DownRemovalMargin { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an acquired or renewed singleton lease stays valid without renewal.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the holder renews the lease and a standby tries to take it; shorter than <see cref="LeaseDuration"/>.</summary>
    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Backoff between attempts to reach the database at start.</summary>
    public RetryBackoff StartupBackoff { get; init; } = RetryBackoff.Default;

    /// <summary>
    /// Reads <c>autopilot.cluster.*</c> from <paramref name="config"/>; missing keys take the defaults above. The
    /// connection string falls back to <see cref="PersistencePlugins.PostgresConnectionStringKey"/> so one database
    /// can serve the journal and the cluster.
    /// </summary>
    /// <exception cref="ConfigurationException">A value is missing, malformed or inconsistent; names the key.</exception>
    public static ClusterSettings FromConfig(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var connectionString = config.GetString(ConnectionStringKey, null);
        if (string.IsNullOrWhiteSpace(connectionString))
            connectionString = config.GetString(PersistencePlugins.PostgresConnectionStringKey, null);
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new ConfigurationException(
                $"{ConnectionStringKey} must be set (or {PersistencePlugins.PostgresConnectionStringKey}) to run a cluster.", ConnectionStringKey);

        var nodeId = config.GetString(NodeIdKey, null);
        if (string.IsNullOrWhiteSpace(nodeId))
            nodeId = Environment.MachineName;
        var defaults = new ClusterSettings(connectionString, nodeId);
        var address = config.GetString(AddressKey, null);
        var appVersion = config.GetString(AppVersionKey, null);
        var settings = defaults with
        {
            Address = string.IsNullOrWhiteSpace(address) ? nodeId : address,
            Roles = config.GetStringList(RolesKey, []),
            AppVersion = string.IsNullOrWhiteSpace(appVersion) ? defaults.AppVersion : appVersion,
            HeartbeatInterval = config.GetTimeSpan(HeartbeatIntervalKey, defaults.HeartbeatInterval),
            FailureDetectionTimeout = config.GetTimeSpan(FailureDetectionTimeoutKey, defaults.FailureDetectionTimeout),
            DownRemovalMargin = config.GetTimeSpan(DownRemovalMarginKey, defaults.DownRemovalMargin),
            LeaseDuration = config.GetTimeSpan(LeaseDurationKey, defaults.LeaseDuration),
            LeaseRenewInterval = config.GetTimeSpan(LeaseRenewIntervalKey, defaults.LeaseRenewInterval),
            StartupBackoff = new RetryBackoff(
                config.GetTimeSpan(StartupBackoffInitialKey, defaults.StartupBackoff.Initial),
                config.GetTimeSpan(StartupBackoffMaxKey, defaults.StartupBackoff.Max)),
        };
        settings.EnsureValid();
        return settings;
    }

    /// <summary>
    /// Checks the values hang together: positive durations, failure detection slower than heartbeats, renewal faster
    /// than expiry. Called by every cluster component, so settings built in code are checked too.
    /// </summary>
    /// <exception cref="ConfigurationException">Names the key to fix.</exception>
    public void EnsureValid()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
            throw new ConfigurationException($"{ConnectionStringKey} must not be empty.", ConnectionStringKey);
        if (string.IsNullOrWhiteSpace(NodeId))
            throw new ConfigurationException($"{NodeIdKey} must not be empty.", NodeIdKey);
        Positive(HeartbeatInterval, HeartbeatIntervalKey);
        Positive(FailureDetectionTimeout, FailureDetectionTimeoutKey);
        Positive(DownRemovalMargin, DownRemovalMarginKey);
        Positive(LeaseDuration, LeaseDurationKey);
        Positive(LeaseRenewInterval, LeaseRenewIntervalKey);
        Positive(StartupBackoff.Initial, StartupBackoffInitialKey);
        if (StartupBackoff.Max < StartupBackoff.Initial)
            throw new ConfigurationException($"{StartupBackoffMaxKey} ({StartupBackoff.Max}) must not be shorter than {StartupBackoffInitialKey} ({StartupBackoff.Initial}).", StartupBackoffMaxKey);
        if (FailureDetectionTimeout < 2 * HeartbeatInterval)
            throw new ConfigurationException(
                $"{FailureDetectionTimeoutKey} ({FailureDetectionTimeout}) must be at least twice {HeartbeatIntervalKey} ({HeartbeatInterval}), or one late heartbeat marks a live node Down.",
                FailureDetectionTimeoutKey);
        if (LeaseRenewInterval >= LeaseDuration)
            throw new ConfigurationException(
                $"{LeaseRenewIntervalKey} ({LeaseRenewInterval}) must be shorter than {LeaseDurationKey} ({LeaseDuration}), or the lease expires between renewals.",
                LeaseRenewIntervalKey);
    }

    private static void Positive(TimeSpan value, string key)
    {
        if (value <= TimeSpan.Zero)
            throw new ConfigurationException($"{key} must be a positive duration, not {value}.", key);
    }

    private static string DefaultAppVersion()
    {
        var assembly = Assembly.GetEntryAssembly() ?? typeof(ClusterSettings).Assembly;
        return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
               ?? assembly.GetName().Version?.ToString()
               ?? "unknown";
    }

    // The connection string carries a password: keep it out of ToString.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"NodeId = {NodeId}, Address = {Address}, Roles = [{string.Join(", ", Roles)}], AppVersion = {AppVersion}, ");
        builder.Append($"HeartbeatInterval = {HeartbeatInterval}, FailureDetectionTimeout = {FailureDetectionTimeout}, DownRemovalMargin = {DownRemovalMargin}, ");
        builder.Append($"LeaseDuration = {LeaseDuration}, LeaseRenewInterval = {LeaseRenewInterval}, StartupBackoff = {StartupBackoff}");
        return true;
    }
}
