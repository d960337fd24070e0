using Autopilot.Agents.Configuration;
using Autopilot.Daemon.Configuration;

namespace Autopilot.Daemon.Tests.Deployment;

/// <summary>hocon/autopilot.conf, the file operators start from, is a valid configuration as shipped.</summary>
public sealed class ExampleConfigurationTests
{
    private static readonly string Example = RepositoryFiles.PathOf("hocon", "autopilot.conf");

    [Fact]
    public void As_shipped_it_is_a_single_node_and_switching_its_cluster_key_on_stops_the_start_naming_the_key()
    {
        var single = DaemonSettings.FromConfig(DaemonConfiguration.Load(Example, null, _ => null), "/srv/autopilot");
        var edited = Path.Combine(Path.GetTempPath(), $"autopilot-example-{Guid.NewGuid():N}.conf");
        // What an operator does who wants the clustered mode back before issue 12: flips the example's switch.
        File.WriteAllText(edited, File.ReadAllText(Example) + "\nautopilot.cluster.enabled = on\n");
        try
        {
            var clustered = Assert.Throws<SettingException>(() => DaemonSettings.FromConfig(DaemonConfiguration.Load(edited, null, _ => null), "/srv/autopilot"));

            Assert.Equal("autopilot-prod-1", single.NodeName);
            Assert.Equal(DaemonSettings.ClusterEnabledKey, clustered.Key);
            Assert.StartsWith(DaemonSettings.ClusterEnabledKey, clustered.Message);
        }
        finally
        {
            File.Delete(edited);
        }
    }
}
