using Autopilot.Agents.Protocol;

namespace Autopilot.Agents.Orchestrator;

/// <summary>
/// The orchestrator's world model rebuilt from its journaled audit events, for a node that does not run the
/// orchestrator (a cluster standby) but must still answer status queries. Applies events exactly as the
/// orchestrator's own recovery does, so both report the same state for the same journal.
/// </summary>
public sealed class OrchestratorHistory
{
    private readonly AgentsSettings _settings;
    private readonly WorldModel _world;

    /// <summary>Starts from the mode the orchestrator starts in (<paramref name="settings"/>).</summary>
    public OrchestratorHistory(AgentsSettings settings)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _world = new WorldModel(settings.Orchestrator.StartPaused, settings.Orchestrator.StartInDryRun);
    }

    /// <summary>Applies the next event of the orchestrator's stream.</summary>
    public void Apply(IAuditEvent @event) => _world.Apply(@event);

    /// <summary>The status the orchestrator would report at <paramref name="now"/> (its budget window ends there).</summary>
    public OrchestratorStatus Status(DateTimeOffset now) =>
        _world.Status(_settings.Railway.Services.Select(s => s.Name), now - _settings.Orchestrator.BudgetWindow, _settings.Orchestrator.MaxActionsPerService);
}
