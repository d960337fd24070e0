using Akka.Configuration;
using Autopilot.Agents.Configuration;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Policy;
using Xunit;

namespace Autopilot.Agents.Tests.Orchestrator;

public sealed class PolicyTableTests
{
    [Fact]
    public void The_reference_policy_covers_every_situation_with_known_actions()
    {
        var settings = AgentsSettings.FromConfig(Config.Empty);

        Assert.Equal(["rollback", "alert-critical"], settings.Policy.ActionsFor(Situations.BuildFailed));
        Assert.Equal(["restart"], settings.Policy.ActionsFor(Situations.CrashedTransient));
        Assert.Equal(Situations.All.Order(), settings.Policy.Rules.Keys.Order());
    }

    [Fact]
    public void An_override_replaces_one_rule_and_keeps_the_others()
    {
        var settings = AgentsSettings.FromConfig(ConfigurationFactory.ParseString("autopilot.agents.policy.crashed-transient = [alert-warning]"));

        Assert.Equal(["alert-warning"], settings.Policy.ActionsFor(Situations.CrashedTransient));
        Assert.Equal(["deploy"], settings.Policy.ActionsFor(Situations.ChecksPassed));
    }

    [Fact]
    public void An_action_marked_approve_is_listed_plainly_and_known_to_need_a_human()
    {
        var settings = AgentsSettings.FromConfig(ConfigurationFactory.ParseString("autopilot.agents.policy.build-failed = [\"approve:rollback\", alert-critical]"));

        Assert.Equal(["rollback", "alert-critical"], settings.Policy.ActionsFor(Situations.BuildFailed));
        Assert.True(settings.Policy.RequiresApproval(Situations.BuildFailed, "rollback"));
        Assert.False(settings.Policy.RequiresApproval(Situations.BuildFailed, "alert-critical"));
        Assert.False(settings.Policy.RequiresApproval(Situations.CrashedAgain, "rollback"));
        Assert.Equal(TimeSpan.FromMinutes(15), settings.Orchestrator.ApprovalsOrDefault.Timeout);
    }

    [Theory]
    [InlineData("[\"approve:alert-critical\"]", "alerts")]
    [InlineData("[\"approve:reboot\"]", "reboot")]
    [InlineData("[rollback, \"approve:rollback\"]", "twice")]
    public void A_bad_approve_entry_is_rejected_naming_the_key(string rule, string why)
    {
        var error = Assert.Throws<SettingException>(() =>
            AgentsSettings.FromConfig(ConfigurationFactory.ParseString($"autopilot.agents.policy.build-failed = {rule}")));

        Assert.Equal("autopilot.agents.policy.build-failed", error.Key);
        Assert.Contains(why, error.Message);
    }

    [Fact]
    public void A_non_positive_approval_timeout_is_rejected_naming_the_key()
    {
        var error = Assert.Throws<SettingException>(() =>
            AgentsSettings.FromConfig(ConfigurationFactory.ParseString("autopilot.agents.approvals.timeout = 0s")));

        Assert.Equal("autopilot.agents.approvals.timeout", error.Key);
    }

    [Fact]
    public void An_unknown_action_is_rejected_naming_the_key()
    {
        var error = Assert.Throws<SettingException>(() =>
            AgentsSettings.FromConfig(ConfigurationFactory.ParseString("autopilot.agents.policy.build-failed = [rollback, reboot-everything]")));

        Assert.Equal("autopilot.agents.policy.build-failed", error.Key);
        Assert.Contains("reboot-everything", error.Message);
    }

    [Fact]
    public void An_unknown_situation_is_rejected_naming_the_key()
    {
        var error = Assert.Throws<SettingException>(() =>
            AgentsSettings.FromConfig(ConfigurationFactory.ParseString("autopilot.agents.policy.build-broke = [rollback]")));

        Assert.Equal("autopilot.agents.policy.build-broke", error.Key);
    }

    [Fact]
    public void A_rule_that_is_not_a_list_is_rejected_naming_the_key()
    {
        var error = Assert.Throws<SettingException>(() =>
            AgentsSettings.FromConfig(ConfigurationFactory.ParseString("autopilot.agents.policy.build-failed { rollback = yes }")));

        Assert.Contains("autopilot.agents.policy.build-failed", error.Key);
    }

    [Fact]
    public void A_duplicate_action_is_rejected()
    {
        var error = Assert.Throws<SettingException>(() =>
            AgentsSettings.FromConfig(ConfigurationFactory.ParseString("autopilot.agents.policy.crashed-again = [rollback, rollback]")));

        Assert.Equal("autopilot.agents.policy.crashed-again", error.Key);
    }

    [Fact]
    public void A_malformed_service_repository_is_rejected_naming_the_key()
    {
        var error = Assert.Throws<SettingException>(() => AgentsSettings.FromConfig(ConfigurationFactory.ParseString("""
            autopilot.agents.railway {
              environment-id = "env"
              services.api { service-id = "svc", repository = "not a repository" }
            }
            """)));

        Assert.Equal("autopilot.agents.railway.services.api.repository", error.Key);
    }

    [Fact]
    public void A_bad_poll_interval_status_is_rejected_naming_the_key()
    {
        var error = Assert.Throws<SettingException>(() =>
            AgentsSettings.FromConfig(ConfigurationFactory.ParseString("autopilot.agents.railway.poll-intervals.compiling = 3s")));

        Assert.Equal("autopilot.agents.railway.poll-intervals.compiling", error.Key);
    }
}
