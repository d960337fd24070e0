using Akka.Configuration;
using Autopilot.Agents.Configuration;
using Autopilot.Agents.Alerts;
using Autopilot.Agents.Health;
using Autopilot.Agents.N8n;
using Xunit;

namespace Autopilot.Agents.Tests.Alerts;

/// <summary>The HOCON sections of the n8n, alerts and health workers: defaults, overrides and typed errors naming the key.</summary>
public sealed class AgentSettingsTests
{
    /// <summary>A section parsed from <paramref name="hocon"/>, at the root (so errors name keys relative to it, as the section readers see them).</summary>
    private static ConfigSection Parse(string hocon) => new(ConfigurationFactory.ParseString(hocon), "");

    private static readonly ConfigSection Empty = new(Config.Empty, "");

    [Fact]
    public void A_section_as_text_names_its_keys_and_never_shows_their_values()
    {
        var telegram = new ConfigSection(ConfigurationFactory.ParseString(
            "autopilot.platforms.telegram { bot-token = \"123456:s3cr3t-bot-token\", chat-id = \"-1001\" }"), "autopilot.platforms.telegram");

        Assert.Equal("autopilot.platforms.telegram { bot-token, chat-id }", telegram.ToString());
        Assert.DoesNotContain("s3cr3t", Parse("a { token = s3cr3t }").ToString());
    }

    [Fact]
    public void Empty_sections_give_the_documented_defaults()
    {
        Assert.Equal(AlertSettings.Default, AlertSettings.FromConfig(Empty) with { IssueLabels = AlertSettings.Default.IssueLabels });
        Assert.Equal(["autopilot", "incident"], AlertSettings.FromConfig(Empty).IssueLabels);
        Assert.Equal(N8nSettings.Default, N8nSettings.FromConfig(Empty));
        var health = HealthSettings.FromConfig(Empty);
        Assert.Equal(HealthSettings.Default with { Targets = health.Targets }, health);
        Assert.Equal((TimeSpan.FromMinutes(5), 3, TimeSpan.FromSeconds(90)), (health.Interval, health.Retries, health.RedeployWait));
    }

    [Fact]
    public void Overrides_are_read()
    {
        var alerts = AlertSettings.FromConfig(Parse("""
            storm-window = 2m
            max-attempts = 3
            telegram { via = n8n, n8n-webhook-path = "alerts/telegram" }
            issue-repository = "acme/ops"
            """));
        Assert.Equal((TimeSpan.FromMinutes(2), 3, TelegramRoute.N8n, "alerts/telegram", "acme/ops"),
            (alerts.StormWindow, alerts.MaxAttempts, alerts.TelegramRoute, alerts.N8nWebhookPath, alerts.IssueRepository?.ToString()));

        var health = HealthSettings.FromConfig(Parse("""
            interval = 1m
            targets.api { url = "https://api.example.com/healthz", service = api, railway-service-id = s1, railway-environment-id = e1 }
            targets.postgres { url = "http://10.0.0.5:8080/ready" }
            """));
        Assert.Equal(["api", "postgres"], health.Targets.Select(t => t.Name).Order());
        Assert.True(health.Targets.Single(t => t.Name == "api").CanRedeploy);
        Assert.False(health.Targets.Single(t => t.Name == "postgres").CanRedeploy);

        Assert.Equal(TimeSpan.Zero, N8nSettings.FromConfig(Parse("poll-interval = 0s")).PollInterval);
    }

    [Theory]
    [InlineData("telegram.via = carrier-pigeon", "telegram.via")]
    [InlineData("telegram.via = n8n", "telegram.n8n-webhook-path")]
    [InlineData("max-attempts = 0", "max-attempts")]
    [InlineData("issue-repository = not-a-repo", "issue-repository")]
    public void Bad_alert_keys_are_named(string hocon, string key)
    {
        Assert.Equal(key, Assert.Throws<SettingException>(() => AlertSettings.FromConfig(Parse(hocon))).Key);
    }

    [Theory]
    [InlineData("""targets.api { url = "ftp://x" }""", "targets.api.url")]
    [InlineData("""targets.api { url = "http://x", railway-service-id = s1 }""", "targets.api.railway-environment-id")]
    [InlineData("ewma.alpha = 1.5", "ewma.alpha")]
    [InlineData("retries = -1", "retries")]
    public void Bad_health_keys_are_named(string hocon, string key)
    {
        Assert.Equal(key, Assert.Throws<SettingException>(() => HealthSettings.FromConfig(Parse(hocon))).Key);
    }
}
