using Autopilot.Actors.Sql.Cluster;

namespace Autopilot.Daemon.Cluster;

/// <summary>
/// The lease one incarnation of the singleton was started under: the keeper that holds it and the fencing token of
/// that acquisition. Everything the singleton does outside the journal checks <see cref="IsValidNow"/> first.
/// </summary>
/// <param name="Keeper">This node's keeper of the orchestrator lease.</param>
/// <param name="Token">The fencing token the singleton was started with.</param>
public sealed record HeldLease(SingletonLeaseKeeper Keeper, long Token)
{
    /// <summary>True while this node still holds the lease with <see cref="Token"/>, by its own monotonic clock.</summary>
    public bool IsValidNow() => Keeper.IsValidNow(Token);
}
