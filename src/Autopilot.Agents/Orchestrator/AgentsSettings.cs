using Akka.Configuration;
using Autopilot.Agents.Configuration;
using Autopilot.Agents.Alerts;
using Autopilot.Agents.Fallback;
using Autopilot.Agents.Health;
using Autopilot.Agents.N8n;
using Autopilot.Agents.GitHub;
using Autopilot.Agents.Policy;
using Autopilot.Agents.Railway;
using Autopilot.Agents.Readiness;

namespace Autopilot.Agents.Orchestrator;

/// <summary>Everything under <c>autopilot.agents</c>, read and validated at once so a bad key stops start-up, not a repair.</summary>
/// <param name="Orchestrator">Loop and safety rails.</param>
/// <param name="Railway">Railway worker and watched services.</param>
/// <param name="GitHub">GitHub worker.</param>
/// <param name="Policy">The decision table.</param>
/// <param name="Alerts">Alerts worker.</param>
/// <param name="Fallback">Fallback router.</param>
/// <param name="N8n">n8n worker.</param>
/// <param name="Health">Health worker.</param>
/// <param name="Confidence">The confidence rules, their weights and per-action thresholds.</param>
/// <param name="Readiness">The production-readiness gate.</param>
/// <param name="Section">The raw <c>autopilot.agents</c> section, for the workers that read their own sub-sections.</param>
/// <param name="Migrations">The database migrations' targets and client programs; none when null.</param>
public sealed record AgentsSettings(
    OrchestratorSettings Orchestrator, RailwaySettings Railway, GitHubSettings GitHub, PolicyTable Policy, AlertSettings Alerts, FallbackSettings Fallback,
    N8nSettings N8n, HealthSettings Health, ConfidenceRules Confidence, ReadinessSettings Readiness, ConfigSection Section,
    global::Autopilot.Agents.Migrations.MigrationsSettings? Migrations = null)
{
    /// <summary>The full path of the agents' section.</summary>
    public const string Path = "autopilot.agents";

    /// <summary>The defaults: the <c>reference.conf</c> embedded in this assembly (every key commented there).</summary>
    public static Config Reference { get; } = LoadReference();

    /// <summary>
    /// Reads <c>autopilot.agents</c> from <paramref name="config"/> (a whole application config) with <see cref="Reference"/>
    /// as fallback.
    /// </summary>
    /// <exception cref="SettingException">A missing or malformed key, named in the exception.</exception>
    public static AgentsSettings FromConfig(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return FromConfig(new ConfigSection(config.WithFallback(Reference), Path));
    }

    /// <summary>
    /// Reads an already-wrapped <c>autopilot.agents</c> section as is (no fallback added: layer <see cref="Reference"/>
    /// under the root yourself, or use <see cref="FromConfig(Config)"/>).
    /// </summary>
    /// <exception cref="SettingException">A missing or malformed key, named in the exception.</exception>
    public static AgentsSettings FromConfig(ConfigSection agents)
    {
        ArgumentNullException.ThrowIfNull(agents);
        var railway = RailwaySettings.FromConfig(agents.GetConfig("railway"));
        var branches = railway.Services
            .Where(s => s.Repository is not null)
            .Select(s => new WatchedBranch(s.Repository!, s.Branch))
            .Distinct()
            .ToArray();
        return new AgentsSettings(
            OrchestratorSettings.FromConfig(agents),
            railway,
            GitHubSettings.FromConfig(agents.GetConfig("github"), branches),
            PolicyTable.FromConfig(agents.GetConfig("policy")),
            AlertSettings.FromConfig(agents.GetConfig("alerts")),
            FallbackSettings.FromConfig(agents.GetConfig("fallback")),
            N8nSettings.FromConfig(agents.GetConfig("n8n")),
            HealthSettings.FromConfig(agents.GetConfig("health")),
            ConfidenceRules.FromConfig(agents.GetConfig("confidence")),
            ReadinessSettings.FromConfig(agents.GetConfig("readiness"), railway.Services.Select(s => s.Name).ToArray()),
            agents,
            global::Autopilot.Agents.Migrations.MigrationsSettings.FromConfig(agents.GetConfig("migrations")));
    }

    private static Config LoadReference()
    {
        const string resource = "Autopilot.Agents.reference.conf";
        using var stream = typeof(AgentsSettings).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded resource {resource} is missing from {typeof(AgentsSettings).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
