using Autopilot.Agents.Configuration;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Policy;
using Autopilot.Agents.Readiness;
using Autopilot.Platforms.GitHub;
using Autopilot.Platforms.Redaction;
using Xunit;

namespace Autopilot.Agents.Tests.Readiness;

/// <summary>The gate's rules on what was read, one at a time (no actors, no HTTP).</summary>
public sealed class ReadinessEvaluationTests
{
    private const string Sha = "0123456789abcdef0123456789abcdef01234567";
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ConfidenceRules Rules =
        ConfidenceRules.FromConfig(new ConfigSection(AgentsSettings.Reference, "autopilot.agents.confidence"));

    private static ReadinessSettings Settings(string? benchmark = null, params string[] tests) =>
        new(tests, [], benchmark, ["README.md"], ["CodeQL", "secret-scanning"], false, new Dictionary<string, bool>());

    private static GitHubWorkflowRun Run(long id, string name, string conclusion, string status = "completed") =>
        new(id, name, Sha, "main", "push", status, status == "completed" ? conclusion : null, id, $"https://github.com/acme/api/actions/runs/{id}", T0);

    private static GitHubCheckRun Check(long id, string name, string? conclusion, string app = "github-actions") =>
        new(id, name, conclusion is null ? "in_progress" : "completed", conclusion, app, null);

    private static ReadinessFacts Facts(
        IReadOnlyList<GitHubWorkflowRun>? runs = null, IReadOnlyList<GitHubCheckRun>? checks = null, IReadOnlyList<GitHubCommitFile>? files = null,
        bool readme = true, IReadOnlyList<GitHubTag>? tags = null, string? lastGood = "dep-good", IReadOnlyDictionary<string, string>? errors = null) =>
        new(runs ?? [Run(1, "CI", "success")], checks ?? [], new GitHubCommitDetail(Sha, "change", files ?? [], ""),
            new Dictionary<string, bool> { ["README.md"] = readme }, tags ?? [], lastGood, errors ?? new Dictionary<string, string>());

    private static IReadOnlyList<ReadinessCheck> Evaluate(ReadinessFacts facts, ReadinessSettings? settings = null) =>
        ReadinessEvaluation.Evaluate(facts, settings ?? Settings(), Rules, new Redactor());

    private static ReadinessCheck CheckNamed(IReadOnlyList<ReadinessCheck> checks, string name) => Assert.Single(checks, c => c.Name == name);

    [Fact]
    public void A_commit_with_green_runs_its_readme_and_a_last_good_deployment_is_GO_with_every_check_recorded()
    {
        var checks = Evaluate(Facts());

        Assert.Equal(ReadinessCheckNames.All, checks.Select(c => c.Name));
        Assert.All(checks, c => Assert.True(c.Passed, $"{c.Name}: {c.Details}"));
        Assert.Equal(ReadinessDecisions.Go, ReadinessDecisions.Of(checks));
        Assert.Equal("success", CheckNamed(checks, "tests").Evidence["workflow CI"]);
        Assert.Equal("present", CheckNamed(checks, "documentation").Evidence["README.md"]);
        Assert.Equal("dep-good", CheckNamed(checks, "rollback plan").Evidence["last good deployment"]);
        Assert.Contains("no benchmark workflow configured", CheckNamed(checks, "performance").Details);
        Assert.Equal(95, Rules.Assess(checks).Score);
    }

    [Fact]
    public void A_failing_test_check_run_is_NO_GO()
    {
        var checks = Evaluate(Facts(checks: [Check(7, "unit-tests", "failure")]), Settings(null, "CI", "unit-tests"));

        var tests = CheckNamed(checks, "tests");
        Assert.False(tests.Passed);
        Assert.Contains("check unit-tests (failure)", tests.Details);
        Assert.Equal(ReadinessDecisions.NoGo, ReadinessDecisions.Of(checks));
    }

    [Fact]
    public void A_configured_test_workflow_without_a_run_fails_the_tests()
    {
        var checks = Evaluate(Facts(), Settings(null, "CI", "e2e"));

        Assert.Contains("no run of e2e", CheckNamed(checks, "tests").Details);
    }

    [Fact]
    public void Only_a_failing_benchmark_is_a_WARNING_and_a_missing_benchmark_run_is_too()
    {
        var failing = Evaluate(Facts(runs: [Run(1, "CI", "success"), Run(2, "Benchmarks", "failure")]), Settings("Benchmarks"));
        var missing = Evaluate(Facts(), Settings("Benchmarks"));

        Assert.True(CheckNamed(failing, "tests").Passed, "the benchmark run is not one of the tests");
        Assert.False(CheckNamed(failing, "performance").Passed);
        Assert.Equal(ReadinessDecisions.Warning, ReadinessDecisions.Of(failing));
        Assert.Contains("no run of Benchmarks", CheckNamed(missing, "performance").Details);
        Assert.Equal(ReadinessDecisions.Warning, ReadinessDecisions.Of(missing));
    }

    [Fact]
    public void A_secret_pattern_added_in_the_diff_fails_security_without_recording_the_value()
    {
        const string leaked = "sk_live_51Habc0123456789";
        var checks = Evaluate(Facts(files:
        [
            new GitHubCommitFile("config/prod.env", "modified", $"@@ -1 +1 @@\n-STRIPE=\n+api_key={leaked}"),
            new GitHubCommitFile("src/old.ts", "modified", "@@ -1 +1 @@\n-const token = \"abc123456\"\n+const x = 1"),
        ]));

        var security = CheckNamed(checks, "security");
        Assert.False(security.Passed);
        Assert.Equal("named-secret", security.Evidence["diff config/prod.env"]);
        Assert.False(security.Evidence.ContainsKey("diff src/old.ts"), "a removed secret is a fix, not a leak");
        Assert.DoesNotContain(checks, c => c.Details.Contains(leaked) || c.Evidence.Values.Any(v => v.Contains(leaked)));
        Assert.Equal(ReadinessDecisions.NoGo, ReadinessDecisions.Of(checks));
    }

    [Fact]
    public void A_failing_code_scanning_run_fails_security_and_is_not_counted_as_a_test()
    {
        var checks = Evaluate(Facts(checks: [Check(9, "Analyze (javascript)", "failure", "github-advanced-security")]));

        Assert.True(CheckNamed(checks, "tests").Passed);
        Assert.Contains("failing scan: check Analyze (javascript) (failure)", CheckNamed(checks, "security").Details);
    }

    [Fact]
    public void No_last_good_deployment_and_no_tag_is_no_rollback_plan_but_a_tag_is_one()
    {
        var none = Evaluate(Facts(lastGood: null, tags: []));
        var tagged = Evaluate(Facts(lastGood: null, tags: [new GitHubTag("v2.3.0", Sha)]));

        Assert.False(CheckNamed(none, "rollback plan").Passed);
        Assert.Equal(ReadinessDecisions.NoGo, ReadinessDecisions.Of(none));
        Assert.True(CheckNamed(tagged, "rollback plan").Passed);
        Assert.StartsWith("v2.3.0", CheckNamed(tagged, "rollback plan").Evidence["newest tag"]);
    }

    [Fact]
    public void A_missing_required_document_fails_documentation()
    {
        var checks = Evaluate(Facts(readme: false));

        Assert.Equal("missing: README.md", CheckNamed(checks, "documentation").Details);
    }

    [Fact]
    public void What_GitHub_could_not_tell_fails_its_checks_with_a_low_confidence()
    {
        var errors = new Dictionary<string, string> { ["runs"] = "GitHub answered 502", ["check-runs"] = "GitHub answered 502" };
        var checks = Evaluate(Facts(runs: [], errors: errors));

        var tests = CheckNamed(checks, "tests");
        Assert.False(tests.Passed);
        Assert.Equal(40, tests.Confidence);
        Assert.Equal(40, Rules.Assess(checks).Score);
        Assert.Equal(ReadinessDecisions.NoGo, ReadinessDecisions.Of(checks));
    }
}
