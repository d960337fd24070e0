using Autopilot.Agents.Fencing;

namespace Autopilot.Agents.Tests.Support;

/// <summary>A lease the test holds or loses at will (<see cref="Held"/>), with a fixed token and node name.</summary>
public sealed class SwitchableFence(long token, string node) : IActionFence
{
    /// <summary>The reason a lost fence gives.</summary>
    public const string LostReason = "the lease was taken over by another node";

    private volatile bool _held = true;

    /// <summary>The fencing token while held.</summary>
    public long Token { get; } = token;

    /// <summary>The node name while held.</summary>
    public string Node { get; } = node;

    /// <summary>Whether the fence is held now (true at first).</summary>
    public bool Held
    {
        get => _held;
        set => _held = value;
    }

    /// <inheritdoc />
    public FenceCheck Check() => _held ? FenceCheck.HeldWith(Token, Node) : FenceCheck.NotHeld(LostReason);
}
