namespace Autopilot.Actors.Sql.Cluster;

/// <summary>A change in whether this node holds a singleton lease (see <see cref="SingletonLeaseKeeper"/>).</summary>
/// <param name="LeaseName">Name of the singleton lease.</param>
/// <param name="Token">Fencing token of the acquisition concerned.</param>
public abstract record LeaseEvent(string LeaseName, long Token);

/// <summary>This node acquired the lease: start the singleton and fence its writes with <paramref name="Token"/>.</summary>
public sealed record LeaseAcquired(string LeaseName, long Token) : LeaseEvent(LeaseName, Token);

/// <summary>
/// This node no longer holds the lease acquired with <paramref name="Token"/> (renewal refused, not renewed before
/// expiry, node Down, or released): stop the singleton at once; another node may already hold a higher token.
/// </summary>
public sealed record LeaseLost(string LeaseName, long Token, string Reason) : LeaseEvent(LeaseName, Token);
