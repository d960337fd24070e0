namespace Autopilot.Actors.Sql.Cluster;

/// <summary>One node of the cluster as the database last saw it.</summary>
/// <param name="NodeId">Stable name of the node.</param>
/// <param name="Incarnation">Which process start of the node this is (grows by one per start).</param>
/// <param name="Address">How to reach the node.</param>
/// <param name="Roles">The node's roles.</param>
/// <param name="AppVersion">Application version the node runs.</param>
/// <param name="Status">Where the member is in its life.</param>
/// <param name="StatusReason">Why it was marked Down (failure detector or operator), when it was.</param>
/// <param name="HeartbeatAge">Time since its last heartbeat, by the database's clock, when read.</param>
public sealed record Member(
    string NodeId,
    long Incarnation,
    string Address,
    IReadOnlyList<string> Roles,
    string AppVersion,
    MemberStatus Status,
    string? StatusReason,
    TimeSpan HeartbeatAge);
