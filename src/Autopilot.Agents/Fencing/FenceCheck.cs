namespace Autopilot.Agents.Fencing;

/// <summary>The answer of <see cref="IActionFence.Check"/>: may this node act, and under which lease tenure.</summary>
/// <param name="Held">True when this node may make platform calls now; false means the call must not be made.</param>
/// <param name="Token">
/// The fencing token of the lease tenure this node holds (it grows on every acquisition, so a higher token is a later
/// leader); null when nothing is fenced (a single node) or the fence is not held.
/// </param>
/// <param name="Reason">Why the fence is not held (for logs and the failed action's error), or null.</param>
/// <param name="Holder">
/// The name of this node (e.g. its cluster address) while it holds the fence: recorded as
/// <see cref="Protocol.SingletonStarted.Node"/>. Null for the single-node default.
/// </param>
public sealed record FenceCheck(bool Held, long? Token, string? Reason, string? Holder = null)
{
    /// <summary>Single node, nothing to fence: every call may be made, and nothing is recorded about leadership.</summary>
    public static FenceCheck Unfenced { get; } = new(true, null, null);

    /// <summary>This node (<paramref name="holder"/>) holds the lease with <paramref name="token"/>.</summary>
    public static FenceCheck HeldWith(long token, string holder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        return new FenceCheck(true, token, null, holder);
    }

    /// <summary>This node does not hold the lease (any more): no call may be made.</summary>
    /// <param name="reason">Why, e.g. "lease expired 2 s ago" or "another node acquired it".</param>
    public static FenceCheck NotHeld(string? reason = null) => new(false, null, reason);
}
