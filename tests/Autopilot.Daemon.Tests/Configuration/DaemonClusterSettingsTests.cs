using Autopilot.Actors.Configuration;
using Autopilot.Daemon.Configuration;

namespace Autopilot.Daemon.Tests.Configuration;

public sealed class DaemonClusterSettingsTests
{
    private const string Postgres = """
        autopilot.persistence.journal.plugin = postgresql
        autopilot.persistence.journal.postgresql.connection-string = "Host=db;Username=autopilot;Password=journal-secret;Database=autopilot"
        """;

    private static DaemonSettings Load(string hocon, Func<string, string?>? env = null)
    {
        var options = new ConfigurationParseOptions { EnvironmentVariables = env ?? (_ => null) };
        return DaemonSettings.FromConfig(DaemonConfiguration.Load(null, ConfigurationFactory.ParseString(hocon, "<test>", options), options), "/srv/autopilot");
    }

    [Fact]
    public void Without_cluster_settings_the_daemon_is_a_single_node()
    {
        Assert.Null(Load("").Cluster);
        Assert.Null(Load(Postgres).Cluster);
    }

    [Fact]
    public void Enabled_by_environment_the_node_takes_its_name_address_and_the_journals_database_from_the_rest_of_the_configuration()
    {
        var env = new Dictionary<string, string> { ["AUTOPILOT_CLUSTER_ENABLED"] = "on", ["AUTOPILOT_NODE_NAME"] = "node-2", ["AUTOPILOT_HTTP_PORT"] = "9112" };

        var cluster = Load(Postgres, env.GetValueOrDefault).Cluster!;

        Assert.Equal("node-2", cluster.Node.NodeId);
        Assert.Equal("http://127.0.0.1:9112", cluster.Node.Address);
        Assert.Equal("Host=db;Username=autopilot;Password=journal-secret;Database=autopilot", cluster.Node.ConnectionString);
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)),
            (cluster.Node.HeartbeatInterval, cluster.Node.FailureDetectionTimeout, cluster.Node.LeaseDuration, cluster.Node.LeaseRenewInterval));
        Assert.Equal((TimeSpan.FromMilliseconds(200), 32), (cluster.InboxPollInterval, cluster.InboxBatchSize));
        Assert.Equal((TimeSpan.FromDays(7), TimeSpan.FromHours(1)), (cluster.InboxRetention, cluster.InboxPruneInterval));
        Assert.DoesNotContain("journal-secret", cluster.ToString());
    }

    [Fact]
    public void Explicit_cluster_keys_win_over_the_defaults()
    {
        var cluster = Load(Postgres + "\n" + """
            autopilot.cluster {
              enabled = on
              node-id = "east-1"
              address = "http://10.0.0.5:9110"
              connection-string = "Host=cluster-db;Username=c;Password=p;Database=c"
              roles = ["webhooks"]
              lease { duration = 8s, renew-interval = 2s }
              inbox { poll-interval = 1s, batch-size = 4, retention = 30d, prune-interval = 10m }
            }
            """).Cluster!;

        Assert.Equal(("east-1", "http://10.0.0.5:9110", "Host=cluster-db;Username=c;Password=p;Database=c"), (cluster.Node.NodeId, cluster.Node.Address, cluster.Node.ConnectionString));
        Assert.Equal(["webhooks"], cluster.Node.Roles);
        Assert.Equal((TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(2)), (cluster.Node.LeaseDuration, cluster.Node.LeaseRenewInterval));
        Assert.Equal((TimeSpan.FromSeconds(1), 4), (cluster.InboxPollInterval, cluster.InboxBatchSize));
        Assert.Equal((TimeSpan.FromDays(30), TimeSpan.FromMinutes(10)), (cluster.InboxRetention, cluster.InboxPruneInterval));
    }

    [Theory]
    [InlineData("autopilot.cluster.enabled = on", "autopilot.cluster.enabled")]
    [InlineData("autopilot.cluster.enabled = maybe", "autopilot.cluster.enabled")]
    public void Clustering_without_the_postgresql_journal_fails_the_start_naming_the_key(string hocon, string key)
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(hocon));

        Assert.Equal(key, error.Path);
    }

    [Theory]
    [InlineData("autopilot.cluster.inbox.batch-size = 0", "autopilot.cluster.inbox.batch-size")]
    [InlineData("autopilot.cluster.inbox.poll-interval = 0s", "autopilot.cluster.inbox.poll-interval")]
    [InlineData("autopilot.cluster.inbox.retention = 0s", "autopilot.cluster.inbox.retention")]
    [InlineData("autopilot.cluster.inbox.prune-interval = -1h", "autopilot.cluster.inbox.prune-interval")]
    [InlineData("autopilot.cluster.lease { duration = 1s, renew-interval = 2s }", "autopilot.cluster.lease.renew-interval")]
    [InlineData("autopilot.cluster.failure-detection-timeout = 1s", "autopilot.cluster.failure-detection-timeout")]
    public void An_invalid_cluster_value_fails_the_start_naming_the_key(string hocon, string key)
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(Postgres + "\nautopilot.cluster.enabled = on\n" + hocon));

        Assert.Equal(key, error.Path);
    }
}
