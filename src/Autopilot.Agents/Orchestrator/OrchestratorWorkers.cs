using Akka.Actor;
using Akka.Event;

namespace Autopilot.Agents.Orchestrator;

/// <summary>
/// The Props of the orchestrator's children. Railway and GitHub are required; the others are optional so a deployment
/// (or a test) can run without them — an action for a missing worker is recorded as failed, never silently dropped.
/// </summary>
/// <param name="Railway">Child <c>railway</c>.</param>
/// <param name="GitHub">Child <c>github</c>.</param>
/// <param name="Alerts">Child <c>alerts</c> (receives <see cref="Protocol.RaiseAlert"/>).</param>
/// <param name="N8n">Child <c>n8n</c> (which runs the fallback router as its own child <c>fallback</c>).</param>
/// <param name="Health">Child <c>health</c>.</param>
/// <param name="Readiness">
/// Child <c>readiness</c>, the production-readiness gate (<see cref="Readiness.ReadinessGate"/>). Without it no green commit
/// is deployed: its <c>assess-readiness</c> action fails and a WARNING alert says so.
/// </param>
/// <param name="Migrations">One migrations worker per target database (children <c>migrations-&lt;target&gt;</c>); none when null.</param>
public sealed record OrchestratorWorkers(
    Props Railway, Props GitHub, Props? Alerts = null, Props? N8n = null, Props? Health = null, Props? Readiness = null,
    IReadOnlyList<Migrations.MigrationWorkerProps>? Migrations = null);
