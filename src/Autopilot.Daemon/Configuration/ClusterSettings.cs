using Akka.Actor;
using Autopilot.Agents.Configuration;

namespace Autopilot.Daemon.Configuration;

/// <summary>
/// Clustered mode (<c>autopilot.cluster</c>): Akka.Remote on <see cref="Hostname"/>:<see cref="Port"/>, Akka.Cluster
/// joining <see cref="SeedNodes"/>, the orchestrator as a cluster singleton guarded by the PostgreSQL lease. Off by
/// default: a single node runs without remoting at all.
/// </summary>
/// <param name="Enabled">Whether this node joins a cluster.</param>
/// <param name="Hostname">Address Akka.Remote binds to.</param>
/// <param name="PublicHostname">Address the other nodes reach this one at (the bind address when empty).</param>
/// <param name="Port">Akka.Remote's TCP port.</param>
/// <param name="SeedNodes">Full Akka addresses (<c>akka.tcp://autopilotd@host:port</c>) of the seed nodes.</param>
/// <param name="Roles">Roles this node advertises.</param>
/// <param name="LeaseConnectionString">Where the singleton lease lives (the journal's PostgreSQL by default); a secret.</param>
public sealed record ClusterSettings(
    bool Enabled, string Hostname, string PublicHostname, int Port, IReadOnlyList<string> SeedNodes, IReadOnlyList<string> Roles, string? LeaseConnectionString)
{
    /// <summary>Down a member at once when its remoting port refuses connections (its process is gone); see <c>CrashedMemberDowning</c>.</summary>
    public bool DownCrashedMembers { get; init; } = true;

    /// <summary>Pause between the two refused connections that prove a member's process is gone.</summary>
    public TimeSpan CrashConfirmAfter { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Key that turns clustering on.</summary>
    public const string EnabledKey = "autopilot.cluster.enabled";

    /// <summary>Key of the seed nodes.</summary>
    public const string SeedNodesKey = "autopilot.cluster.seed-nodes";

    /// <summary>Key of the lease's own connection string.</summary>
    public const string LeaseConnectionStringKey = "autopilot.coordination.postgresql-lease.connection-string";

    /// <summary>A single node: no remoting, no cluster.</summary>
    public static ClusterSettings Off { get; } = new(false, "127.0.0.1", "127.0.0.1", 0, [], [], null);

    /// <summary>This node's Akka address as the others see it: <c>host:port</c>, stable for the life of the process.</summary>
    public string SelfHostPort => $"{PublicHostname}:{Port}";

    /// <summary>Never prints the lease's connection string.</summary>
    public override string ToString() =>
        $"ClusterSettings {{ Enabled = {Enabled}, Address = {SelfHostPort}, SeedNodes = [{string.Join(", ", SeedNodes)}], Roles = [{string.Join(", ", Roles)}] }}";

    internal static ClusterSettings FromConfig(ConfigSection config, string actorSystemName, JournalSelection journal)
    {
        if (!config.GetBoolean(EnabledKey))
        {
            return Off;
        }

        if (journal.Plugin != JournalSelection.PostgreSql)
        {
            throw new SettingException(JournalSelection.PluginKey,
                $"is '{journal.Plugin}', but a cluster ({EnabledKey} = on) needs one journal all nodes share: set it to postgresql.");
        }

        const string portKey = "autopilot.cluster.port";
        var port = config.GetInt(portKey);
        if (port is < 1 or > 65535)
        {
            throw new SettingException(portKey, $"must be a TCP port between 1 and 65535 (was {port}); other nodes must know it, so 0 is not allowed.");
        }

        var hostname = DaemonSettings.NonEmpty(config, "autopilot.cluster.hostname");
        var publicHostname = DaemonSettings.Optional(config, "autopilot.cluster.public-hostname") ?? hostname;
        var seeds = List(config, SeedNodesKey).Select(s => SeedAddress(s, actorSystemName)).ToArray();
        if (seeds.Length == 0)
        {
            throw new SettingException(SeedNodesKey,
                "must name at least one node (host:port, comma-separated, e.g. AUTOPILOT_CLUSTER_SEED_NODES=node1:4053,node2:4053); list this node first on the node that may start the cluster alone.");
        }

        return new ClusterSettings(true, hostname, publicHostname, port, seeds, List(config, "autopilot.cluster.roles"),
            DaemonSettings.Optional(config, LeaseConnectionStringKey) ?? journal.ConnectionString)
        {
            DownCrashedMembers = config.GetBoolean("autopilot.cluster.down-crashed-members"),
            CrashConfirmAfter = config.GetPositiveTimeSpan("autopilot.cluster.crash-confirm-after"),
        };
    }

    // Lists come as HOCON lists or as one comma-separated string (what an environment variable can hold).
    private static IReadOnlyList<string> List(ConfigSection config, string key)
    {
        var items = config.HasPath(key) && config.Config.GetValue(key).IsArray()
            ? config.GetStringList(key)
            : (config.GetString(key, null) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return items.Where(i => !string.IsNullOrWhiteSpace(i)).Select(i => i.Trim()).ToArray();
    }

    private static string SeedAddress(string seed, string actorSystemName)
    {
        var text = seed.Contains("://", StringComparison.Ordinal) ? seed : $"akka.tcp://{actorSystemName}@{seed}";
        try
        {
            var address = Address.Parse(text);
            if (address.Host is null || address.Port is null or <= 0)
            {
                throw new UriFormatException("no host or port");
            }

            if (address.System != actorSystemName)
            {
                throw new SettingException(SeedNodesKey, $"names the actor system '{address.System}' in '{seed}', but every node runs '{actorSystemName}'.");
            }

            return address.ToString();
        }
        catch (UriFormatException e)
        {
            throw new SettingException(SeedNodesKey, $"has '{seed}', which is not host:port or an akka.tcp:// address ({e.Message}).");
        }
    }
}
