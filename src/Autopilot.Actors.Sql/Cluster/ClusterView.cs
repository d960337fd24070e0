namespace Autopilot.Actors.Sql.Cluster;

/// <summary>What an operator sees: every member with its status and heartbeat age, and who holds each singleton lease.</summary>
/// <param name="Members">All members, Removed ones included, by node id.</param>
/// <param name="Leases">Every singleton lease ever acquired, by name.</param>
public sealed record ClusterView(IReadOnlyList<Member> Members, IReadOnlyList<LeaseView> Leases);

/// <summary>A singleton lease as the database sees it now.</summary>
/// <param name="Name">Name of the singleton.</param>
/// <param name="OwnerNode">Node that acquired it last.</param>
/// <param name="OwnerIncarnation">Incarnation of that node.</param>
/// <param name="Token">Fencing token of the last acquisition.</param>
/// <param name="IsHeld">Whether it is unexpired (by the database's clock).</param>
/// <param name="RemainingValidity">Time until it expires unless renewed; zero when not held.</param>
public sealed record LeaseView(string Name, string OwnerNode, long OwnerIncarnation, long Token, bool IsHeld, TimeSpan RemainingValidity);
