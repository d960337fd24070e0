using Akka.Actor;

namespace Autopilot.Agents.Migrations;

/// <summary>A target database and the Props of its <see cref="MigrationsWorker"/>, as the orchestrator starts it.</summary>
/// <param name="Target">The target (the orchestrator matches pushes and <c>autopilot migrate</c> against it).</param>
/// <param name="Props">The worker's Props.</param>
public sealed record MigrationWorkerProps(MigrationTarget Target, Props Props)
{
    /// <summary>The child's name, <c>migrations-&lt;target&gt;</c>.</summary>
    public string Name => MigrationsWorker.WorkerName(Target.Name);
}
