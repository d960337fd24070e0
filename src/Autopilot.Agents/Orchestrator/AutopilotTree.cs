using Autopilot.Actors;
using Autopilot.Actors.Configuration;
using Autopilot.Agents.GitHub;
using Autopilot.Agents.Railway;
using Autopilot.Platforms.GitHub;
using Autopilot.Platforms.Railway;

namespace Autopilot.Agents.Orchestrator;

/// <summary>The platform clients the agents act through (built and owned by the host, e.g. the daemon's DI container).</summary>
/// <param name="Railway">Railway.</param>
/// <param name="GitHub">GitHub.</param>
/// <param name="GitHubTokens">The token source the GitHub client uses, refreshed ahead of need by the GitHub worker; null for none.</param>
public sealed record AutopilotClients(IRailwayClient Railway, IGitHubClient GitHub, IGitHubTokenSource? GitHubTokens = null);

/// <summary>
/// Builds the whole agent tree: <c>/user/orchestrator</c> with its workers as children. The host only supplies its
/// configuration and clients: <c>AutopilotTree.Start(system, config, clients)</c>.
/// </summary>
public static class AutopilotTree
{
    /// <summary>The orchestrator's actor name under <c>/user</c>.</summary>
    public const string OrchestratorName = "orchestrator";

    /// <summary>Props of the orchestrator and its workers from <paramref name="config"/> (with the embedded defaults as fallback).</summary>
    /// <exception cref="ConfigurationException">A missing or malformed key under <c>autopilot.agents</c>.</exception>
    public static Props Props(Config config, AutopilotClients clients) => Props(AgentsSettings.FromConfig(config), clients);

    /// <summary>Props of the orchestrator and its workers from already-read settings.</summary>
    public static Props Props(AgentsSettings settings, AutopilotClients clients)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clients);
        var workers = new OrchestratorWorkers(
            RailwayWorker.Props(clients.Railway, settings.Railway),
            GitHubWorker.Props(clients.GitHub, clients.GitHubTokens, settings.GitHub));
        return Orchestrator.Props(settings.Orchestrator, settings.Railway, settings.Policy, workers);
    }

    /// <summary>Starts the tree in <paramref name="system"/> (persistence must already be started) and returns the orchestrator.</summary>
    public static IActorRef Start(ActorSystem system, Config config, AutopilotClients clients)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.ActorOf(Props(config, clients), OrchestratorName);
    }
}
