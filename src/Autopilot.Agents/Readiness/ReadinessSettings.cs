using Autopilot.Agents.Configuration;

namespace Autopilot.Agents.Readiness;

/// <summary>Settings of the production-readiness gate (<c>autopilot.agents.readiness</c>).</summary>
/// <param name="TestsWorkflows">
/// Names of the workflow runs / check runs that are the commit's tests. Empty: every workflow run and check run of the
/// commit that is not integration, benchmark or security counts as a test (at least one must exist).
/// </param>
/// <param name="IntegrationWorkflows">Names of the integration workflow runs / check runs; empty: the check passes with a note.</param>
/// <param name="BenchmarkWorkflow">Name of the benchmark workflow run / check run; null: <c>performance</c> passes with a note.</param>
/// <param name="RequiredDocuments">Paths that must exist in the repository at the commit (e.g. README.md).</param>
/// <param name="SecurityCheckRuns">
/// A check run whose name contains one of these (any letter case) is a code-scanning / secret-scanning run: a failing one
/// fails <c>security</c>. Check runs of GitHub's <c>github-advanced-security</c> app count whatever their name.
/// </param>
/// <param name="AllowWarningDeploys">Whether a WARNING (only performance failed) is deployed, for services without their own setting.</param>
/// <param name="ServiceAllowWarningDeploys">Per-service overrides of <paramref name="AllowWarningDeploys"/>.</param>
public sealed record ReadinessSettings(
    IReadOnlyList<string> TestsWorkflows,
    IReadOnlyList<string> IntegrationWorkflows,
    string? BenchmarkWorkflow,
    IReadOnlyList<string> RequiredDocuments,
    IReadOnlyList<string> SecurityCheckRuns,
    bool AllowWarningDeploys,
    IReadOnlyDictionary<string, bool> ServiceAllowWarningDeploys)
{
    /// <summary>Whether a WARNING assessment may be deployed to <paramref name="service"/> without a human.</summary>
    public bool AllowsWarningDeploys(string service) =>
        ServiceAllowWarningDeploys.TryGetValue(service, out var allowed) ? allowed : AllowWarningDeploys;

    /// <summary>Reads the <c>readiness</c> section; <paramref name="services"/> are the watched services' names (per-service keys must name one).</summary>
    /// <exception cref="SettingException">A missing or malformed key, or a per-service key of an unknown service; named in the exception.</exception>
    public static ReadinessSettings FromConfig(ConfigSection readiness, IReadOnlyCollection<string> services)
    {
        ArgumentNullException.ThrowIfNull(readiness);
        ArgumentNullException.ThrowIfNull(services);
        var documents = readiness.GetStringList("required-documents");
        foreach (var document in documents)
        {
            if (document.Trim('/').Length == 0)
            {
                throw new SettingException(readiness.KeyOf("required-documents"), "must hold repository paths, not empty strings.");
            }
        }

        var benchmark = readiness.GetString("benchmark-workflow").Trim();
        var perService = new Dictionary<string, bool>(StringComparer.Ordinal);
        var section = readiness.GetConfig("services");
        foreach (var service in section.Keys)
        {
            if (!services.Contains(service))
            {
                throw new SettingException(section.KeyOf(service), $"names no watched service (autopilot.agents.railway.services); known: {string.Join(", ", services.Order())}.");
            }

            perService[service] = section.GetConfig(ConfigSection.Quote(service)).GetBoolean("allow-warning-deploys");
        }

        return new ReadinessSettings(
            readiness.GetStringList("tests-workflows"),
            readiness.GetStringList("integration-workflows"),
            benchmark.Length == 0 ? null : benchmark,
            documents.Select(d => d.Trim('/')).ToArray(),
            readiness.GetStringList("security-check-runs"),
            readiness.GetBoolean("allow-warning-deploys"),
            perService);
    }
}
