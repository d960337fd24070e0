using Autopilot.Actors.Configuration;
using Autopilot.Daemon.Configuration;

namespace Autopilot.Daemon.Tests.Deployment;

/// <summary>hocon/autopilot.conf, the file operators start from, is a valid configuration as shipped.</summary>
public sealed class ExampleConfigurationTests
{
    private static readonly string Example = RepositoryFiles.PathOf("hocon", "autopilot.conf");

    [Fact]
    public void As_shipped_it_is_a_single_node_and_its_cluster_section_turns_on_only_with_the_postgresql_journal()
    {
        var single = Load(new Dictionary<string, string>());
        var clusteredOnSqlite = Assert.Throws<ConfigurationException>(() => Load(new Dictionary<string, string> { ["AUTOPILOT_CLUSTER_ENABLED"] = "on" }));

        Assert.Null(single.Cluster);
        Assert.Equal("autopilot-prod-1", single.NodeName);
        Assert.Equal(DaemonClusterSettings.EnabledKey, clusteredOnSqlite.Path);
    }

    private static DaemonSettings Load(IReadOnlyDictionary<string, string> environment)
    {
        var options = new ConfigurationParseOptions { EnvironmentVariables = environment.GetValueOrDefault };
        return DaemonSettings.FromConfig(DaemonConfiguration.Load(Example, null, options), "/srv/autopilot");
    }
}
