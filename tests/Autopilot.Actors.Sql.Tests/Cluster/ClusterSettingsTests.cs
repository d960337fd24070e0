using Autopilot.Actors.Configuration;
using Autopilot.Actors.Sql.Cluster;

namespace Autopilot.Actors.Sql.Tests.Cluster;

public sealed class ClusterSettingsTests
{
    [Fact]
    public void Settings_are_read_from_autopilot_cluster_with_defaults_for_missing_keys()
    {
        var config = ConfigurationFactory.ParseString("""
            autopilot.cluster {
              connection-string = "Host=db;Username=ap;Password=hunter2;Database=autopilot"
              node-id = "node-1"
              address = "http://10.0.0.5:8080"
              roles = [webhooks, orchestrator]
              app-version = "2.0.0"
              heartbeat-interval = 250ms
              lease.duration = 4s
            }
            """);

        var settings = ClusterSettings.FromConfig(config);

        Assert.Equal("node-1", settings.NodeId);
        Assert.Equal("http://10.0.0.5:8080", settings.Address);
        Assert.Equal(["webhooks", "orchestrator"], settings.Roles);
        Assert.Equal("2.0.0", settings.AppVersion);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(3), settings.FailureDetectionTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.DownRemovalMargin);
        Assert.Equal(TimeSpan.FromSeconds(4), settings.LeaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.LeaseRenewInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(500), settings.StartupBackoff.Initial);
        Assert.DoesNotContain("hunter2", settings.ToString());
    }

    [Fact]
    public void The_connection_string_falls_back_to_the_journals_and_the_node_id_to_the_machine_name()
    {
        var config = ConfigurationFactory.ParseString("""autopilot.persistence.journal.postgresql.connection-string = "Host=journal-db;Database=j" """);

        var settings = ClusterSettings.FromConfig(config);

        Assert.Equal("Host=journal-db;Database=j", settings.ConnectionString);
        Assert.Equal(Environment.MachineName, settings.NodeId);
        Assert.Equal(Environment.MachineName, settings.Address);
    }

    [Theory]
    [InlineData("", ClusterSettings.ConnectionStringKey)]
    [InlineData("""connection-string = "Host=x", lease { duration = 2s, renew-interval = 2s }""", ClusterSettings.LeaseRenewIntervalKey)]
    [InlineData("""connection-string = "Host=x", heartbeat-interval = 2s""", ClusterSettings.FailureDetectionTimeoutKey)]
    [InlineData("""connection-string = "Host=x", down-removal-margin = 0s""", ClusterSettings.DownRemovalMarginKey)]
    [InlineData("""connection-string = "Host=x", heartbeat-interval = soon""", ClusterSettings.HeartbeatIntervalKey)]
    public void Inconsistent_settings_are_refused_naming_the_key_to_fix(string body, string key)
    {
        var config = ConfigurationFactory.ParseString($"autopilot.cluster {{ {body} }}");

        var error = Assert.ThrowsAny<ConfigurationException>(() => ClusterSettings.FromConfig(config));

        Assert.Equal(key, error.Path);
    }
}
