using Autopilot.Agents.Policy;
using Autopilot.Platforms.GitHub;
using Autopilot.Platforms.Redaction;

namespace Autopilot.Agents.Readiness;

/// <summary>What the gate read from GitHub for one commit; a read that failed is null with its error in <see cref="Errors"/>.</summary>
/// <param name="WorkflowRuns">The commit's workflow runs.</param>
/// <param name="CheckRuns">The commit's check runs.</param>
/// <param name="Commit">The commit with its changed files and patches.</param>
/// <param name="Documents">Each required document → whether it exists at the commit.</param>
/// <param name="Tags">The repository's tags.</param>
/// <param name="LastGoodDeploymentId">The service's last good deployment (from the orchestrator), if any.</param>
/// <param name="Errors">Why a read failed, by read: <c>runs</c>, <c>check-runs</c>, <c>commit</c>, <c>documents</c>, <c>tags</c>.</param>
public sealed record ReadinessFacts(
    IReadOnlyList<GitHubWorkflowRun>? WorkflowRuns,
    IReadOnlyList<GitHubCheckRun>? CheckRuns,
    GitHubCommitDetail? Commit,
    IReadOnlyDictionary<string, bool>? Documents,
    IReadOnlyList<GitHubTag>? Tags,
    string? LastGoodDeploymentId,
    IReadOnlyDictionary<string, string> Errors);

/// <summary>
/// The gate's judgement as a pure function of what was read (<see cref="ReadinessFacts"/>) and the settings, so each
/// rule can be read and tested on its own; <see cref="ReadinessGate"/> does the reads.
/// </summary>
public static class ReadinessEvaluation
{
    private static readonly string[] Succeeded = ["success", "skipped", "neutral"];
    private const string AdvancedSecurityApp = "github-advanced-security";

    /// <summary>A run of the commit: a workflow run or a check run, by the name GitHub shows.</summary>
    private sealed record RunView(string Kind, long Id, string Name, string? Status, string? Conclusion)
    {
        public string Key => $"{Kind} {Name}";

        public bool Completed => Status == "completed";

        public bool Success => Completed && Conclusion is not null && Succeeded.Contains(Conclusion);

        public string Outcome => Completed ? Conclusion ?? "completed" : Status ?? "pending";
    }

    /// <summary>Every check, in <see cref="ReadinessCheckNames.All"/> order.</summary>
    public static IReadOnlyList<ReadinessCheck> Evaluate(ReadinessFacts facts, ReadinessSettings settings, ConfidenceRules rules, Redactor redactor)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(redactor);
        var runsError = string.Join("; ", new[] { "runs", "check-runs" }.Where(facts.Errors.ContainsKey).Select(k => $"{k}: {facts.Errors[k]}"));
        var runs = Latest(
            (facts.WorkflowRuns ?? []).Select(r => new RunView("workflow", r.Id, r.Name ?? $"workflow {r.WorkflowId}", r.Status, r.Conclusion))
            .Concat((facts.CheckRuns ?? []).Select(c => new RunView("check", c.Id, c.Name, c.Status, c.Conclusion))));
        var security = runs.Where(r => IsSecurityRun(r, facts.CheckRuns, settings)).ToArray();
        var benchmark = settings.BenchmarkWorkflow is { } name ? runs.Where(r => Named(r, [name])).ToArray() : [];
        var integration = runs.Where(r => Named(r, settings.IntegrationWorkflows)).ToArray();
        var tests = settings.TestsWorkflows.Count > 0
            ? runs.Where(r => Named(r, settings.TestsWorkflows)).ToArray()
            : runs.Except(security).Except(benchmark).Except(integration).ToArray();

        return
        [
            RunsCheck(ReadinessCheckNames.Tests, tests, settings.TestsWorkflows, runsError, rules,
                settings.TestsWorkflows.Count == 0 ? "every workflow run and check run of the commit (no tests-workflows configured)" : null),
            settings.IntegrationWorkflows.Count == 0
                ? Passed(ReadinessCheckNames.Integration, "no integration workflows configured: nothing to check", rules)
                : RunsCheck(ReadinessCheckNames.Integration, integration, settings.IntegrationWorkflows, runsError, rules, null),
            SecurityCheck(facts, security, runsError, rules, redactor),
            DocumentationCheck(facts, settings, rules),
            settings.BenchmarkWorkflow is null
                ? Passed(ReadinessCheckNames.Performance, "no benchmark workflow configured: nothing to check", rules)
                : RunsCheck(ReadinessCheckNames.Performance, benchmark, [settings.BenchmarkWorkflow], runsError, rules, null),
            RollbackCheck(facts, rules),
        ];
    }

    /// <summary>One view per (kind, name): the newest run of it (a re-run replaces the run before).</summary>
    private static RunView[] Latest(IEnumerable<RunView> runs) =>
        runs.GroupBy(r => r.Key, StringComparer.Ordinal).Select(g => g.MaxBy(r => r.Id)!).OrderBy(r => r.Key, StringComparer.Ordinal).ToArray();

    private static bool Named(RunView run, IReadOnlyList<string> names) => names.Any(n => string.Equals(n, run.Name, StringComparison.OrdinalIgnoreCase));

    private static bool IsSecurityRun(RunView run, IReadOnlyList<GitHubCheckRun>? checkRuns, ReadinessSettings settings) =>
        settings.SecurityCheckRuns.Any(word => run.Name.Contains(word, StringComparison.OrdinalIgnoreCase))
        || (run.Kind == "check" && checkRuns?.FirstOrDefault(c => c.Id == run.Id)?.AppSlug == AdvancedSecurityApp);

    private static ReadinessCheck Passed(string name, string details, ConfidenceRules rules) =>
        new(name, true, details, new Dictionary<string, string>(StringComparer.Ordinal), rules.CheckConfidence(true));

    private static ReadinessCheck RunsCheck(
        string name, IReadOnlyList<RunView> runs, IReadOnlyList<string> required, string runsError, ConfidenceRules rules, string? scope)
    {
        var evidence = runs.ToDictionary(r => r.Key, r => r.Outcome, StringComparer.Ordinal);
        if (runsError.Length > 0)
        {
            evidence["read-error"] = runsError;
        }

        var missing = required.Where(n => !runs.Any(r => string.Equals(r.Name, n, StringComparison.OrdinalIgnoreCase))).ToArray();
        var pending = runs.Where(r => !r.Completed).Select(r => r.Key).ToArray();
        var failed = runs.Where(r => r.Completed && !r.Success).Select(r => $"{r.Key} ({r.Outcome})").ToArray();
        var problems = new List<string>();
        if (runs.Count == 0 && required.Count == 0)
        {
            problems.Add("no workflow run or check run found for the commit");
        }

        if (missing.Length > 0)
        {
            problems.Add($"no run of {string.Join(", ", missing)}");
        }

        if (pending.Length > 0)
        {
            problems.Add($"not finished: {string.Join(", ", pending)}");
        }

        if (failed.Length > 0)
        {
            problems.Add($"failed: {string.Join(", ", failed)}");
        }

        var read = runsError.Length == 0;
        if (!read)
        {
            problems.Add($"GitHub could not be read ({runsError})");
        }

        var details = problems.Count == 0
            ? $"{runs.Count} run(s) concluded successfully" + (scope is null ? "" : $" ({scope})")
            : string.Join("; ", problems);
        return new ReadinessCheck(name, problems.Count == 0, details, evidence, rules.CheckConfidence(read));
    }

    private static ReadinessCheck SecurityCheck(ReadinessFacts facts, IReadOnlyList<RunView> securityRuns, string runsError, ConfidenceRules rules, Redactor redactor)
    {
        var evidence = new Dictionary<string, string>(StringComparer.Ordinal);
        var problems = new List<string>();
        var notes = new List<string>();
        if (facts.Commit is { } commit)
        {
            var scanned = 0;
            foreach (var file in commit.Files)
            {
                if (file.Patch is null)
                {
                    continue;
                }

                scanned++;
                // Only what the commit adds: a secret it removes is a fix, not a leak.
                var added = string.Join('\n', file.Patch.Split('\n')
                    .Where(l => l.StartsWith('+') && !l.StartsWith("+++", StringComparison.Ordinal))
                    .Select(l => l[1..]));
                var kinds = redactor.SecretKindsIn(added);
                if (kinds.Count > 0)
                {
                    evidence[$"diff {file.Filename}"] = string.Join(", ", kinds);
                }
            }

            var hits = evidence.Keys.Where(k => k.StartsWith("diff ", StringComparison.Ordinal)).Select(k => k[5..]).ToArray();
            if (hits.Length > 0)
            {
                problems.Add($"secret-shaped values added in {string.Join(", ", hits)}");
            }

            evidence["diff scanned"] = $"{scanned} of {commit.Files.Count} file(s) with a patch";
            notes.Add($"{scanned} changed file(s) scanned");
        }
        else
        {
            problems.Add($"the commit's diff could not be read ({facts.Errors.GetValueOrDefault("commit", "unknown error")})");
        }

        foreach (var run in securityRuns)
        {
            evidence[run.Key] = run.Outcome;
        }

        var failing = securityRuns.Where(r => r.Completed && !r.Success).Select(r => $"{r.Key} ({r.Outcome})").ToArray();
        if (failing.Length > 0)
        {
            problems.Add($"failing scan: {string.Join(", ", failing)}");
        }

        notes.Add(securityRuns.Count == 0 ? "no code-scanning / secret-scanning run" : $"{securityRuns.Count} scanning run(s), none failing");
        if (runsError.Length > 0)
        {
            evidence["read-error"] = runsError;
            problems.Add($"check runs could not be read ({runsError})");
        }

        var read = facts.Commit is not null && runsError.Length == 0;
        return new ReadinessCheck(ReadinessCheckNames.Security, problems.Count == 0,
            problems.Count == 0 ? $"no secret pattern in the added lines; {string.Join("; ", notes)}" : string.Join("; ", problems),
            evidence, rules.CheckConfidence(read));
    }

    private static ReadinessCheck DocumentationCheck(ReadinessFacts facts, ReadinessSettings settings, ConfidenceRules rules)
    {
        if (settings.RequiredDocuments.Count == 0)
        {
            return Passed(ReadinessCheckNames.Documentation, "no required documents configured: nothing to check", rules);
        }

        if (facts.Documents is not { } documents)
        {
            var error = facts.Errors.GetValueOrDefault("documents", "unknown error");
            return new ReadinessCheck(ReadinessCheckNames.Documentation, false, $"the repository's contents could not be read ({error})",
                new Dictionary<string, string>(StringComparer.Ordinal) { ["read-error"] = error }, rules.CheckConfidence(false));
        }

        var evidence = settings.RequiredDocuments.ToDictionary(d => d, d => documents.GetValueOrDefault(d) ? "present" : "missing", StringComparer.Ordinal);
        var missing = evidence.Where(e => e.Value == "missing").Select(e => e.Key).ToArray();
        return new ReadinessCheck(ReadinessCheckNames.Documentation, missing.Length == 0,
            missing.Length == 0 ? $"{evidence.Count} required document(s) present" : $"missing: {string.Join(", ", missing)}",
            evidence, rules.CheckConfidence(true));
    }

    private static ReadinessCheck RollbackCheck(ReadinessFacts facts, ConfidenceRules rules)
    {
        var evidence = new Dictionary<string, string>(StringComparer.Ordinal);
        if (facts.LastGoodDeploymentId is { } lastGood)
        {
            evidence["last good deployment"] = lastGood;
        }

        if (facts.Tags is { Count: > 0 } tags)
        {
            evidence["newest tag"] = $"{tags[0].Name} ({(tags[0].Sha.Length > 7 ? tags[0].Sha[..7] : tags[0].Sha)})";
        }

        if (facts.LastGoodDeploymentId is not null)
        {
            return new ReadinessCheck(ReadinessCheckNames.RollbackPlan, true, $"roll back to the last good deployment {facts.LastGoodDeploymentId}", evidence, rules.CheckConfidence(true));
        }

        if (facts.Tags is { Count: > 0 } tagged)
        {
            return new ReadinessCheck(ReadinessCheckNames.RollbackPlan, true, $"no last good deployment known; release tag {tagged[0].Name} to go back to", evidence, rules.CheckConfidence(true));
        }

        var read = facts.Tags is not null;
        if (!read)
        {
            evidence["read-error"] = facts.Errors.GetValueOrDefault("tags", "unknown error");
        }

        return new ReadinessCheck(ReadinessCheckNames.RollbackPlan, false,
            read ? "no last good deployment of the service and no release tag: nothing to roll back to" : $"no last good deployment, and the tags could not be read ({evidence["read-error"]})",
            evidence, rules.CheckConfidence(read));
    }
}
