using Akka.Event;

namespace Autopilot.Agents.Fencing;

/// <summary>
/// The single-node default and the one way the agents consult an <see cref="IActionFence"/> before a platform side
/// effect (<see cref="Refusal"/>, or <see cref="EnsureHeld"/> inside an asynchronous call chain), so every worker words
/// and logs a refused call the same way.
/// </summary>
public static class ActionFence
{
    /// <summary>
    /// The error text of a call that was not made because the fence is not held; the failed action's error starts
    /// with it (<see cref="Protocol.WorkerResult.Error"/>, then <see cref="Protocol.ActionFailed.Error"/>).
    /// </summary>
    public const string NotHeldError = "this node no longer holds the orchestrator's lease; the call was not made";

    /// <summary>
    /// The single-node default: always held, no token. Nothing is fenced because there is no other node that could take
    /// over (used when <see cref="Orchestrator.AutopilotClients.Fence"/> is null).
    /// </summary>
    public static IActionFence Unfenced => UnfencedActions.Instance;

    /// <summary>The error text for a refused <paramref name="call"/>: <see cref="NotHeldError"/>, what was not done and why.</summary>
    public static string ErrorFor(string call, FenceCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return $"{NotHeldError} ({call}{(check.Reason is { Length: > 0 } reason ? $"; {reason}" : "")})";
    }

    /// <summary>
    /// Asks <paramref name="fence"/> right before <paramref name="call"/> (a platform side effect). Returns null when
    /// the call may be made; otherwise logs a warning on <paramref name="log"/> and returns the error text the caller
    /// answers with — the call must then not be made.
    /// </summary>
    /// <param name="fence">The node's fence.</param>
    /// <param name="log">The actor's log (safe to use off the actor thread).</param>
    /// <param name="call">What would be done, for the log and the error, e.g. "Railway rollback of api to d-1".</param>
    public static string? Refusal(this IActionFence fence, ILoggingAdapter log, string call)
    {
        ArgumentNullException.ThrowIfNull(fence);
        ArgumentNullException.ThrowIfNull(log);
        var check = fence.Check();
        if (check.Held)
        {
            return null;
        }

        var error = ErrorFor(call, check);
        log.Warning("Fenced: {0}", error);
        return error;
    }

    /// <summary>
    /// Like <see cref="Refusal"/>, for asynchronous call chains whose failures are exceptions: throws
    /// <see cref="ActionFenceException"/> (whose message is the error text) when the call must not be made.
    /// </summary>
    /// <exception cref="ActionFenceException">The fence is not held.</exception>
    public static void EnsureHeld(this IActionFence fence, ILoggingAdapter log, string call)
    {
        if (fence.Refusal(log, call) is { } error)
        {
            throw new ActionFenceException(error);
        }
    }
}

/// <summary>The fence of a single node: always held, no token, no holder. Stateless.</summary>
public sealed class UnfencedActions : IActionFence
{
    /// <summary>The one instance (it has no state).</summary>
    public static UnfencedActions Instance { get; } = new();

    private UnfencedActions()
    {
    }

    /// <inheritdoc />
    public FenceCheck Check() => FenceCheck.Unfenced;
}

/// <summary>
/// A platform call was not made because this node no longer holds the orchestrator's lease (see
/// <see cref="ActionFence.EnsureHeld"/>). The worker answers the action with its message as the error.
/// </summary>
public sealed class ActionFenceException : InvalidOperationException
{
    /// <summary>Creates the exception with the error text (starting with <see cref="ActionFence.NotHeldError"/>).</summary>
    public ActionFenceException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <see cref="ActionFence.NotHeldError"/>.</summary>
    public ActionFenceException()
        : base(ActionFence.NotHeldError)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ActionFenceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
