using System.Text.Json;

namespace Autopilot.Daemon.ClusterHarness.Cluster;

/// <summary>What one node says about the cluster (<c>GET /api/cluster</c>).</summary>
/// <param name="Clustered">False in single-node mode.</param>
/// <param name="Self">The answering node's id.</param>
/// <param name="Leader">The node holding the orchestrator lease, as this node sees it.</param>
/// <param name="Members">Every member row.</param>
/// <param name="Leases">Every lease row.</param>
/// <param name="InboxPending">Inbox entries not yet handled.</param>
public sealed record ClusterView(bool Clustered, string Self, string? Leader, IReadOnlyList<MemberView> Members, IReadOnlyList<LeaseView> Leases, long InboxPending)
{
    /// <summary>Name of the orchestrator singleton's lease.</summary>
    public const string OrchestratorLease = "orchestrator";

    /// <summary>The orchestrator lease row, or null when none was ever taken.</summary>
    public LeaseView? Orchestrator => Leases.FirstOrDefault(l => l.Name == OrchestratorLease);

    /// <summary>The member row of <paramref name="nodeId"/>, or null.</summary>
    public MemberView? Member(string nodeId) => Members.FirstOrDefault(m => m.NodeId == nodeId);

    /// <summary>Parses the endpoint's JSON (field names as the cluster contract specifies them).</summary>
    /// <exception cref="FormatException">A required field is missing or has the wrong type; names it.</exception>
    public static ClusterView Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new ClusterView(
            Required(root, "clustered").GetBoolean(),
            Required(root, "self").GetString() ?? throw new FormatException("/api/cluster: \"self\" is null."),
            root.TryGetProperty("leader", out var leader) && leader.ValueKind == JsonValueKind.String ? leader.GetString() : null,
            Required(root, "members").EnumerateArray().Select(m => new MemberView(
                Required(m, "nodeId").GetString()!,
                Required(m, "status").GetString()!,
                m.TryGetProperty("incarnation", out var incarnation) && incarnation.ValueKind == JsonValueKind.Number ? incarnation.GetInt64() : 0,
                m.TryGetProperty("statusReason", out var reason) && reason.ValueKind == JsonValueKind.String ? reason.GetString() : null)).ToArray(),
            root.TryGetProperty("leases", out var leases)
                ? leases.EnumerateArray().Select(l => new LeaseView(
                    Required(l, "name").GetString()!,
                    l.TryGetProperty("owner", out var owner) && owner.ValueKind == JsonValueKind.String ? owner.GetString() : null,
                    Required(l, "token").GetInt64(),
                    l.TryGetProperty("held", out var held) && held.ValueKind is JsonValueKind.True or JsonValueKind.False && held.GetBoolean())).ToArray()
                : [],
            root.TryGetProperty("inboxPending", out var pending) && pending.ValueKind == JsonValueKind.Number ? pending.GetInt64() : 0);
    }

    private static JsonElement Required(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new FormatException($"/api/cluster: field \"{name}\" is missing in {element.GetRawText()}");
}

/// <summary>A member row of <see cref="ClusterView"/>.</summary>
/// <param name="NodeId">The node.</param>
/// <param name="Status">joining, up, leaving, exiting, down or removed.</param>
/// <param name="Incarnation">Increases each time the node id joins again.</param>
/// <param name="StatusReason">Why it has its status (e.g. who downed it), if given.</param>
public sealed record MemberView(string NodeId, string Status, long Incarnation, string? StatusReason);

/// <summary>A lease row of <see cref="ClusterView"/>.</summary>
/// <param name="Name">The singleton's name.</param>
/// <param name="Owner">The node holding or last holding it.</param>
/// <param name="Token">Fencing token of the latest acquisition; higher means later.</param>
/// <param name="Held">True while unexpired.</param>
public sealed record LeaseView(string Name, string? Owner, long Token, bool Held);
