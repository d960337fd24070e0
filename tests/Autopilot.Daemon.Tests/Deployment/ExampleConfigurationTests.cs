using Autopilot.Agents.Configuration;
using Autopilot.Daemon.Configuration;

namespace Autopilot.Daemon.Tests.Deployment;

/// <summary>hocon/autopilot.conf, the file operators start from, is a valid configuration as shipped.</summary>
public sealed class ExampleConfigurationTests
{
    private static readonly string Example = RepositoryFiles.PathOf("hocon", "autopilot.conf");

    [Fact]
    public void As_shipped_it_is_a_single_node_and_switching_its_cluster_key_on_alone_stops_the_start_naming_the_journal_key()
    {
        var single = DaemonSettings.FromConfig(DaemonConfiguration.Load(Example, null, _ => null), "/srv/autopilot");
        var edited = Path.Combine(Path.GetTempPath(), $"autopilot-example-{Guid.NewGuid():N}.conf");
        // What an operator does who flips the example's switch without moving the journal to PostgreSQL.
        File.WriteAllText(edited, File.ReadAllText(Example) + "\nautopilot.cluster.enabled = on\n");
        try
        {
            var clustered = Assert.Throws<SettingException>(() => DaemonSettings.FromConfig(DaemonConfiguration.Load(edited, null, _ => null), "/srv/autopilot"));

            Assert.Equal("autopilot-prod-1", single.NodeName);
            Assert.False(single.Cluster.Enabled);
            Assert.Equal(JournalSelection.PluginKey, clustered.Key);
            Assert.StartsWith(JournalSelection.PluginKey, clustered.Message);
        }
        finally
        {
            File.Delete(edited);
        }
    }
}
