using Autopilot.Actors;

namespace Autopilot.Daemon.Runtime;

/// <summary>Builds the real agent tree for the daemon process.</summary>
public static class OrchestratorWiring
{
    /// <summary>The <see cref="OrchestratorFactory"/> of <c>autopilotd</c>.</summary>
    public static IActorRef Create(ActorSystem system, OrchestratorContext context) =>
        throw new InvalidOperationException("The agent tree is wired when the orchestrator lands (merge of branch agents).");
}
