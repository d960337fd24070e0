namespace Autopilot.Actors;

/// <summary>
/// The result of a state function: the next state with its data, timeout, replies, and whether to stop.
/// Immutable: <see cref="Using"/>, <see cref="ForMax"/> and <see cref="Replying"/> return changed copies.
/// </summary>
public sealed record FsmState<TState, TData>(TState StateName, TData StateData, TimeSpan? Timeout = null, FsmReason? StopReason = null)
{
    /// <summary>Replies sent to the sender once the transition is applied.</summary>
    public IReadOnlyList<object> Replies { get; init; } = [];

    /// <summary>True for <c>Stay()</c>: transition handlers do not run.</summary>
    internal bool IsStay { get; init; }

    /// <summary>The same state change with new data.</summary>
    public FsmState<TState, TData> Using(TData nextData) => this with { StateData = nextData };

    /// <summary>The same state change with a state timeout (overrides the one given in <c>When</c>).</summary>
    public FsmState<TState, TData> ForMax(TimeSpan timeout) => this with { Timeout = timeout };

    /// <summary>The same state change, also replying <paramref name="reply"/> to the sender.</summary>
    public FsmState<TState, TData> Replying(object reply) => this with { Replies = [.. Replies, reply] };
}
