namespace Autopilot.Actors;

/// <summary>One shutdown phase: runs after the phases it depends on, its tasks concurrently, within its timeout.</summary>
/// <param name="Name">Phase name (e.g. <c>service-unbind</c>).</param>
/// <param name="DependsOn">Phases that must finish first.</param>
/// <param name="Timeout">How long the phase's tasks may take together.</param>
/// <param name="Recover">On timeout or failure: true continues with the next phases, false skips to the end.</param>
public sealed record ShutdownPhase(string Name, IReadOnlyList<string> DependsOn, TimeSpan Timeout, bool Recover = true);

/// <summary>The shutdown phases (from <c>autopilot.coordinated-shutdown</c>).</summary>
/// <param name="Phases">All phases; ordered topologically at start.</param>
public sealed record CoordinatedShutdownSettings(IReadOnlyList<ShutdownPhase> Phases);
