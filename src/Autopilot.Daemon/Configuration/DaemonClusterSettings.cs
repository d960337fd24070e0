using Autopilot.Actors.Configuration;
using Autopilot.Actors.Sql;
using Autopilot.Actors.Sql.Cluster;

namespace Autopilot.Daemon.Configuration;

/// <summary>
/// How this daemon takes part in a cluster (<c>autopilot.cluster</c>): the node's membership and lease settings and
/// how the leader drains the durable inbox. Absent (null in <see cref="DaemonSettings.Cluster"/>) when clustering is off.
/// </summary>
/// <param name="Node">Membership, lease and database settings of this node.</param>
/// <param name="InboxPollInterval">How often the leader looks for inbox entries when it found none.</param>
/// <param name="InboxBatchSize">Most entries the leader claims at once.</param>
/// <param name="InboxRetention">How long the inbox keeps an entry after it was handled (and so de-duplicates its key).</param>
/// <param name="InboxPruneInterval">How often the leader deletes entries past <paramref name="InboxRetention"/>.</param>
public sealed record DaemonClusterSettings(ClusterSettings Node, TimeSpan InboxPollInterval, int InboxBatchSize, TimeSpan InboxRetention, TimeSpan InboxPruneInterval)
{
    /// <summary>HOCON key that turns clustering on.</summary>
    public const string EnabledKey = ClusterSettings.Section + ".enabled";

    /// <summary>HOCON key of the inbox poll interval.</summary>
    public const string InboxPollIntervalKey = ClusterSettings.Section + ".inbox.poll-interval";

    /// <summary>HOCON key of the inbox batch size.</summary>
    public const string InboxBatchSizeKey = ClusterSettings.Section + ".inbox.batch-size";

    /// <summary>HOCON key of how long handled inbox entries are kept.</summary>
    public const string InboxRetentionKey = ClusterSettings.Section + ".inbox.retention";

    /// <summary>HOCON key of how often the leader prunes handled inbox entries.</summary>
    public const string InboxPruneIntervalKey = ClusterSettings.Section + ".inbox.prune-interval";

    /// <summary>Never prints the connection string, which may hold a password.</summary>
    public override string ToString() => $"DaemonClusterSettings {{ NodeId = {Node.NodeId}, Address = {Node.Address} }}";

    /// <summary>
    /// The cluster settings, or null when <c>autopilot.cluster.enabled</c> is off. The node id defaults to
    /// <paramref name="nodeName"/> and the address to this node's HTTP endpoint.
    /// </summary>
    /// <exception cref="ConfigurationException">Clustering is on without the PostgreSQL journal, or a cluster key is invalid; names the key.</exception>
    internal static DaemonClusterSettings? FromConfig(Config config, string nodeName, JournalSelection journal, HttpSettings http)
    {
        if (!config.GetBoolean(EnabledKey, false))
        {
            return null;
        }

        if (journal.Plugin != PersistencePlugins.PostgreSql)
        {
            throw new ConfigurationException(
                $"Configuration key '{EnabledKey}' is on, which requires '{PersistencePlugins.PluginKey}' = {PersistencePlugins.PostgreSql} (it is '{journal.Plugin}'): "
                + "the cluster and its journal live in one PostgreSQL database.", EnabledKey);
        }

        var node = ClusterSettings.FromConfig(WithDefault(WithDefault(config, ClusterSettings.NodeIdKey, nodeName),
            ClusterSettings.AddressKey, $"http://{http.Host}:{http.Port}"));
        var batchSize = config.GetInt(InboxBatchSizeKey, 32);
        if (batchSize <= 0)
        {
            throw new ConfigurationException($"Configuration key '{InboxBatchSizeKey}' must be at least 1 (was {batchSize}).", InboxBatchSizeKey);
        }

        return new DaemonClusterSettings(node, DaemonSettings.Positive(config, InboxPollIntervalKey), batchSize,
            DaemonSettings.Positive(config, InboxRetentionKey), DaemonSettings.Positive(config, InboxPruneIntervalKey));
    }

    /// <summary><paramref name="config"/> with <paramref name="key"/> set to <paramref name="value"/> when it is missing or empty.</summary>
    private static Config WithDefault(Config config, string key, string value) =>
        string.IsNullOrWhiteSpace(config.GetString(key, null))
            ? ConfigurationFactory.ParseString($"{key} = {Quote(value)}", $"<default of {key}>").WithFallback(config)
            : config;

    private static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}
