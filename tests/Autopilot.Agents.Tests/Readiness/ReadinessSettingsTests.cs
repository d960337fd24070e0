using Akka.Configuration;
using Autopilot.Agents.Configuration;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Readiness;
using Xunit;

namespace Autopilot.Agents.Tests.Readiness;

/// <summary>The gate's settings are read strictly; WARNING deploys can be allowed globally or per service.</summary>
public sealed class ReadinessSettingsTests
{
    private static ReadinessSettings Read(string hocon) => ReadinessSettings.FromConfig(
        new ConfigSection(ConfigurationFactory.ParseString(hocon).WithFallback(AgentsSettings.Reference), "autopilot.agents.readiness"), ["api", "worker"]);

    [Fact]
    public void The_shipped_defaults_require_a_readme_configure_no_benchmark_and_allow_no_warning_deploy()
    {
        var settings = Read("");

        Assert.Equal(["README.md"], settings.RequiredDocuments);
        Assert.Null(settings.BenchmarkWorkflow);
        Assert.Empty(settings.TestsWorkflows);
        Assert.False(settings.AllowsWarningDeploys("api"));
    }

    [Fact]
    public void A_service_can_allow_warning_deploys_where_the_global_setting_does_not_and_the_other_way_round()
    {
        var settings = Read("""
            autopilot.agents.readiness {
              allow-warning-deploys = true
              services.api.allow-warning-deploys = false
            }
            """);

        Assert.False(settings.AllowsWarningDeploys("api"));
        Assert.True(settings.AllowsWarningDeploys("worker"));
    }

    [Theory]
    [InlineData("autopilot.agents.readiness.services.web.allow-warning-deploys = true", "autopilot.agents.readiness.services.web")]
    [InlineData("autopilot.agents.readiness.allow-warning-deploys = maybe", "autopilot.agents.readiness.allow-warning-deploys")]
    [InlineData("autopilot.agents.readiness.required-documents = README.md", "autopilot.agents.readiness.required-documents")]
    [InlineData("autopilot.agents.readiness.services.api { }", "autopilot.agents.readiness.services.api.allow-warning-deploys")]
    public void A_bad_setting_stops_start_up_naming_its_key(string hocon, string key)
    {
        var error = Assert.Throws<SettingException>(() => Read(hocon));

        Assert.StartsWith(key, error.Message);
    }
}
