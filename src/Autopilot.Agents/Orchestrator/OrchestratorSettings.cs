using Autopilot.Actors.Configuration;

namespace Autopilot.Agents.Orchestrator;

/// <summary>Settings of the OODA loop and its safety rails (<c>autopilot.agents.orchestrator</c> and <c>autopilot.agents.budget</c>).</summary>
/// <param name="CycleInterval">How often the loop observes on its own (events also trigger it).</param>
/// <param name="StartInDryRun">Start with dry-run on (decide and record, act on nothing).</param>
/// <param name="StartPaused">Start paused.</param>
/// <param name="MaxActionsPerService">Autonomous production-changing actions allowed per service within <paramref name="BudgetWindow"/>.</param>
/// <param name="BudgetWindow">The budget's sliding window.</param>
/// <param name="MaxWorkerRestarts">Restarts of a failing worker allowed within a minute before it is stopped.</param>
public sealed record OrchestratorSettings(
    TimeSpan CycleInterval, bool StartInDryRun, bool StartPaused, int MaxActionsPerService, TimeSpan BudgetWindow, int MaxWorkerRestarts)
{
    /// <summary>Reads from the <c>autopilot.agents</c> section.</summary>
    /// <exception cref="ConfigurationException">A missing or malformed key, named in the exception.</exception>
    public static OrchestratorSettings FromConfig(Config agents)
    {
        ArgumentNullException.ThrowIfNull(agents);
        var cycle = agents.GetTimeSpan("orchestrator.cycle-interval");
        if (cycle <= TimeSpan.Zero)
        {
            throw new ConfigurationException("must be a positive duration.", $"{agents.PathPrefix}.orchestrator.cycle-interval");
        }

        var budget = agents.GetInt("budget.max-actions-per-service");
        if (budget < 0)
        {
            throw new ConfigurationException("must not be negative.", $"{agents.PathPrefix}.budget.max-actions-per-service");
        }

        var window = agents.GetTimeSpan("budget.window");
        if (window <= TimeSpan.Zero)
        {
            throw new ConfigurationException("must be a positive duration.", $"{agents.PathPrefix}.budget.window");
        }

        return new OrchestratorSettings(
            cycle,
            agents.GetBoolean("orchestrator.dry-run"),
            agents.GetBoolean("orchestrator.paused"),
            budget,
            window,
            agents.GetInt("orchestrator.max-worker-restarts"));
    }
}
