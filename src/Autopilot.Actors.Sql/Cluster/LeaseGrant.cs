namespace Autopilot.Actors.Sql.Cluster;

/// <summary>
/// The database's answer to a successful acquisition or renewal: who holds the lease, its fencing token, and how
/// long it stays valid from the moment of the answer (measured by the database, so the holder can count it down on
/// its own monotonic clock without trusting its wall clock).
/// </summary>
/// <param name="LeaseName">Name of the singleton lease.</param>
/// <param name="NodeId">Holder's node id.</param>
/// <param name="Incarnation">Holder's incarnation.</param>
/// <param name="Token">Fencing token of this acquisition: attach it to every write the holder makes.</param>
/// <param name="ValidFor">Remaining validity when the database answered.</param>
public sealed record LeaseGrant(string LeaseName, string NodeId, long Incarnation, long Token, TimeSpan ValidFor);
