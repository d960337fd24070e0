using Autopilot.Agents.Configuration;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Hosting;
using Autopilot.Daemon.Tests.Fixtures;

namespace Autopilot.Daemon.Tests.Configuration;

/// <summary>
/// Clustered mode is switched off until it returns on Akka.Cluster (issue 12): asking for it must stop the start with
/// an error naming <c>autopilot.cluster.enabled</c>, never start a single node that the operator believes is clustered.
/// </summary>
public sealed class ClusteredModeOffTests
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
        Assert.Equal("sqlite", Load("").Journal.Plugin);
        Assert.Equal("postgresql", Load(Postgres).Journal.Plugin);
        Assert.Equal("postgresql", Load(Postgres + "\nautopilot.cluster.enabled = off").Journal.Plugin);
    }

    [Theory]
    [InlineData("autopilot.cluster.enabled = on")]
    [InlineData("autopilot.cluster { enabled = true }")]
    [InlineData(Postgres + "\nautopilot.cluster.enabled = on")]
    public void Cluster_enabled_on_stops_the_start_with_an_error_naming_the_key(string hocon)
    {
        var error = Assert.Throws<SettingException>(() => Load(hocon));

        Assert.Equal("autopilot.cluster.enabled", error.Key);
        Assert.StartsWith("autopilot.cluster.enabled", error.Message);
        Assert.DoesNotContain("journal-secret", error.Message);
    }

    [Fact]
    public void Cluster_enabled_through_the_environment_stops_the_start_naming_the_key()
    {
        var error = Assert.Throws<SettingException>(() => Load(Postgres, name => name == "AUTOPILOT_CLUSTER_ENABLED" ? "on" : null));

        Assert.Equal("autopilot.cluster.enabled", error.Key);
    }

    [Fact]
    public void A_malformed_cluster_switch_stops_the_start_naming_the_key()
    {
        var error = Assert.Throws<SettingException>(() => Load("autopilot.cluster.enabled = maybe"));

        Assert.Equal("autopilot.cluster.enabled", error.Key);
    }

    [Fact]
    public void Building_the_daemon_with_cluster_enabled_stops_before_anything_starts()
    {
        var error = Assert.Throws<SettingException>(() => DaemonHost.Build(new DaemonHostOptions
        {
            Overrides = "autopilot.cluster.enabled = on",
            EnvironmentVariables = _ => null,
            OrchestratorFactory = (_, _) => throw new InvalidOperationException("not reached"),
            LogOutput = TextWriter.Null,
        }));

        Assert.Equal("autopilot.cluster.enabled", error.Key);
    }

    [Fact]
    public async Task A_daemon_process_with_cluster_enabled_exits_2_with_an_error_naming_the_key_and_opens_no_journal()
    {
        using var daemon = DaemonProcess.Launch(new Dictionary<string, string> { ["AUTOPILOT_CLUSTER_ENABLED"] = "on" });

        var exitCode = await daemon.ExitedAsync();

        Assert.Equal(DaemonExitCodes.BadConfiguration, exitCode);
        Assert.Contains(daemon.Log, line => line.Contains("autopilot.cluster.enabled", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(daemon.Directory, "data", "autopilot.db")), "nothing may be started before the configuration is valid");
    }
}
