using Akka.Configuration;
using Autopilot.Agents.Configuration;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Policy;
using Xunit;

namespace Autopilot.Agents.Tests.Policy;

/// <summary>The confidence rules with the shipped weights, and their settings read strictly.</summary>
public sealed class ConfidenceRulesTests
{
    private static ConfidenceRules Rules(string hocon = "") =>
        ConfidenceRules.FromConfig(new ConfigSection(ConfigurationFactory.ParseString(hocon).WithFallback(AgentsSettings.Reference), "autopilot.agents.confidence"));

    private static int Score(string situation, params string[] log) => Rules().Assess(new ConfidenceEvidence(situation, log)).Score;

    [Fact]
    public void A_build_log_with_a_clear_error_line_is_acted_on_and_an_unknown_failure_is_put_to_a_human()
    {
        var rules = Rules();
        var clear = rules.Assess(new ConfidenceEvidence(Situations.BuildFailed, ["Step 5/9", "src/a.ts(1,1): error TS2304: Cannot find name 'x'."]));
        var unknown = rules.Assess(new ConfidenceEvidence(Situations.BuildFailed, ["Step 5/9", "exit status 1", "Build failed"]));

        Assert.Equal(85, clear.Score);
        Assert.Equal("base 50 + clear-error-line 35 = 85", clear.Explain());
        Assert.Equal(ConfidenceBand.Act, rules.Band(PolicyActions.Rollback, clear.Score));
        Assert.Equal(60, unknown.Score);
        Assert.Equal(ConfidenceBand.Review, rules.Band(PolicyActions.Rollback, unknown.Score));
    }

    [Fact]
    public void An_out_of_memory_marker_is_surer_than_a_generic_crash_and_a_crash_after_a_restart_is_surer_still()
    {
        Assert.Equal(90, Score(Situations.CrashedOutOfMemory));
        Assert.Equal(65, Score(Situations.CrashedTransient));
        Assert.Equal(85, Score(Situations.CrashedAgain));
        Assert.Equal(85, Score(Situations.ChecksPassed));
    }

    [Fact]
    public void Repeated_failures_of_the_same_fingerprint_raise_the_confidence_up_to_a_cap()
    {
        var rules = Rules();

        var once = rules.Assess(new ConfidenceEvidence(Situations.CrashedTransient, [], EarlierOccurrences: 1)).Score;
        var often = rules.Assess(new ConfidenceEvidence(Situations.CrashedTransient, [], EarlierOccurrences: 10)).Score;

        Assert.Equal(70, once);
        Assert.Equal(80, often);
    }

    [Fact]
    public void Thresholds_can_be_set_per_action_and_the_bands_follow_them()
    {
        var rules = Rules("autopilot.agents.confidence.actions.restart.act = 60");

        Assert.Equal(ConfidenceBand.Act, rules.Band(PolicyActions.Restart, 65));
        Assert.Equal(ConfidenceBand.Review, rules.Band(PolicyActions.Rollback, 65));
        Assert.Equal(ConfidenceBand.Record, rules.Band(PolicyActions.Rollback, 59));
        Assert.Equal(new ConfidenceThresholds(60, 60), rules.For(PolicyActions.Restart));
    }

    [Theory]
    [InlineData("autopilot.agents.confidence.weights.base = lots", "autopilot.agents.confidence.weights.base")]
    [InlineData("autopilot.agents.confidence.weights.hunch = 5", "autopilot.agents.confidence.weights.hunch")]
    [InlineData("autopilot.agents.confidence.thresholds.review = 90", "autopilot.agents.confidence.thresholds.review")]
    [InlineData("autopilot.agents.confidence.actions.reboot.act = 50", "autopilot.agents.confidence.actions.reboot")]
    [InlineData("autopilot.agents.confidence.actions.restart.act = 101", "autopilot.agents.confidence.actions.restart.act")]
    public void A_bad_setting_stops_start_up_naming_its_key(string hocon, string key)
    {
        var error = Assert.Throws<SettingException>(() => Rules(hocon));

        Assert.StartsWith(key, error.Message);
    }
}
