using Autopilot.Agents.Configuration;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Hosting;
using Autopilot.Daemon.Tests.Fixtures;

namespace Autopilot.Daemon.Tests.Configuration;

/// <summary>
/// <c>autopilot.cluster</c>: off gives a single node without remoting; on needs a shared PostgreSQL journal and seed
/// nodes, and every mistake stops the start with the key's name (never a node the operator believes is clustered).
/// </summary>
public sealed class ClusterSettingsTests
{
    private const string Postgres = """
        autopilot.persistence.journal.plugin = postgresql
        autopilot.persistence.journal.postgresql.connection-string = "Host=db;Username=autopilot;Password=journal-secret;Database=autopilot"
        """;

    private static DaemonSettings Load(string hocon, Func<string, string?>? env = null) =>
        DaemonSettings.FromConfig(DaemonConfiguration.Load(null, hocon, env ?? (_ => null)), "/srv/autopilot");

    [Fact]
    public void Without_cluster_settings_the_daemon_is_a_single_node_on_either_journal()
    {
        Assert.False(Load("").Cluster.Enabled);
        Assert.False(Load(Postgres).Cluster.Enabled);
        Assert.False(Load(Postgres + "\nautopilot.cluster.enabled = off").Cluster.Enabled);
    }

    [Fact]
    public void The_environment_configures_a_node_seed_nodes_become_akka_addresses_and_the_lease_uses_the_journal_database()
    {
        var env = new Dictionary<string, string>
        {
            ["AUTOPILOT_CLUSTER_ENABLED"] = "on",
            ["AUTOPILOT_CLUSTER_HOSTNAME"] = "0.0.0.0",
            ["AUTOPILOT_CLUSTER_PUBLIC_HOSTNAME"] = "autopilot-2",
            ["AUTOPILOT_CLUSTER_PORT"] = "4054",
            ["AUTOPILOT_CLUSTER_SEED_NODES"] = "autopilot-1:4053, akka.tcp://autopilotd@autopilot-2:4054",
        };

        var cluster = Load(Postgres, name => env.GetValueOrDefault(name)).Cluster;

        Assert.True(cluster.Enabled);
        Assert.Equal("0.0.0.0", cluster.Hostname);
        Assert.Equal("autopilot-2:4054", cluster.SelfHostPort);
        Assert.Equal(["akka.tcp://autopilotd@autopilot-1:4053", "akka.tcp://autopilotd@autopilot-2:4054"], cluster.SeedNodes);
        Assert.Contains("journal-secret", cluster.LeaseConnectionString);
        Assert.DoesNotContain("journal-secret", cluster.ToString());
    }

    [Fact]
    public void A_cluster_on_the_sqlite_journal_stops_the_start_naming_the_journal_key()
    {
        var error = Assert.Throws<SettingException>(() => Load("autopilot.cluster { enabled = on, seed-nodes = \"a:4053\" }"));

        Assert.Equal(JournalSelection.PluginKey, error.Key);
        Assert.Contains("postgresql", error.Message);
    }

    [Theory]
    [InlineData("autopilot.cluster.enabled = on", ClusterSettings.SeedNodesKey)]
    [InlineData("autopilot.cluster { enabled = on, seed-nodes = \"not an address at all\" }", ClusterSettings.SeedNodesKey)]
    [InlineData("autopilot.cluster { enabled = on, seed-nodes = \"akka.tcp://other@a:4053\" }", ClusterSettings.SeedNodesKey)]
    [InlineData("autopilot.cluster { enabled = on, seed-nodes = \"a:4053\", port = 0 }", "autopilot.cluster.port")]
    [InlineData("autopilot.cluster { enabled = on, seed-nodes = \"a:4053\", hostname = \"\" }", "autopilot.cluster.hostname")]
    [InlineData("autopilot.cluster.enabled = maybe", ClusterSettings.EnabledKey)]
    public void A_mistake_stops_the_start_naming_its_key_without_the_password(string hocon, string key)
    {
        var error = Assert.Throws<SettingException>(() => Load(Postgres + "\n" + hocon));

        Assert.Equal(key, error.Key);
        Assert.StartsWith(key, error.Message);
        Assert.DoesNotContain("journal-secret", error.Message);
    }

    [Fact]
    public async Task A_daemon_process_asked_for_a_cluster_on_sqlite_exits_2_naming_the_key_and_opens_no_journal()
    {
        using var daemon = DaemonProcess.Launch(new Dictionary<string, string>
        {
            ["AUTOPILOT_CLUSTER_ENABLED"] = "on",
            ["AUTOPILOT_CLUSTER_SEED_NODES"] = "127.0.0.1:4053",
        });

        var exitCode = await daemon.ExitedAsync();

        Assert.Equal(DaemonExitCodes.BadConfiguration, exitCode);
        Assert.Contains(daemon.Log, line => line.Contains(JournalSelection.PluginKey, StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(daemon.Directory, "data", "autopilot.db")), "nothing may be started before the configuration is valid");
    }
}
