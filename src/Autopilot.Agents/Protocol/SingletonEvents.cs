using System.Text.Json.Serialization;
using Autopilot.Agents.Serialization;

namespace Autopilot.Agents.Protocol;

/// <summary>
/// A cluster node took over the orchestrator: it acquired the singleton lease with <paramref name="Token"/>, raised the
/// journal's fence to it and started the orchestrator. Operators read fail-overs from these.
/// </summary>
/// <param name="Node">Node id of the new leader.</param>
/// <param name="Token">Fencing token of its lease; every write of its orchestrator carries it.</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.singleton_started", Version = 1)]
public sealed record SingletonStarted(string Node, long Token, DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.Cluster;
}

/// <summary>
/// A cluster node stopped the orchestrator while it still held its lease (graceful leave or shutdown). A node that
/// crashed or lost its lease records nothing: the next <see cref="SingletonStarted"/> with a higher token shows it.
/// </summary>
/// <param name="Node">Node id of the leader that stopped.</param>
/// <param name="Token">Fencing token of its lease.</param>
/// <param name="Reason">Why (e.g. leaving the cluster).</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.singleton_stopped", Version = 1)]
public sealed record SingletonStopped(string Node, long Token, string Reason, DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.Cluster;
}
