namespace Autopilot.Actors;

/// <summary>
/// Lets an actor describe its own state (e.g. an FSM's current state name) for the operator's actor tree.
/// Called from a diagnostics thread, so implementations must only read a field that is safe to read racily
/// (a reference or an enum written by the actor itself).
/// </summary>
public interface IDescribesActorState
{
    /// <summary>A short, secret-free description such as <c>Watching</c> or <c>RollingBack</c>.</summary>
    string DescribeState();
}

/// <summary>One actor in a point-in-time snapshot of the actor tree.</summary>
/// <param name="Path">Full path, e.g. <c>autopilot://autopilotd/user/orchestrator/railway</c>.</param>
/// <param name="Name">Last path element.</param>
/// <param name="ActorType">CLR type name of the current instance (null while it is being recreated).</param>
/// <param name="Status"><c>running</c>, <c>restarting</c>, <c>stopping</c> or <c>terminated</c>.</param>
/// <param name="State">What the actor reports through <see cref="IDescribesActorState"/>, if it does.</param>
/// <param name="RestartCount">How often its supervisor restarted it since it was created.</param>
/// <param name="MailboxDepth">Messages waiting in its mailbox (approximate for unbounded mailboxes).</param>
/// <param name="Children">Its children, by name.</param>
public sealed record ActorTreeNode(
    string Path,
    string Name,
    string? ActorType,
    string Status,
    string? State,
    int RestartCount,
    int MailboxDepth,
    IReadOnlyList<ActorTreeNode> Children);

/// <summary>
/// Read-only diagnostics over a running actor system, for the daemon's <c>/api/actors</c> and the mailbox and restart
/// metrics. It walks the runtime's cells without sending messages, so it works even when an actor is stuck.
/// </summary>
public static class ActorTreeSnapshot
{
    /// <summary>Snapshots the user guardian's subtree (every actor created with <see cref="ActorSystem.ActorOf"/> and below).</summary>
    /// <param name="system">A system created by <see cref="ActorSystem.Create"/>.</param>
    /// <returns>The top-level actors, ordered by name, each with its descendants.</returns>
    public static IReadOnlyList<ActorTreeNode> Capture(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        var impl = (ActorSystemImpl)system;
        return impl.UserGuardian.ChildSlots
            .OrderBy(slot => slot.Ref.Path.Name, StringComparer.Ordinal)
            .Select(Describe)
            .ToArray();
    }

    private static ActorTreeNode Describe(ActorCell.ChildSlot slot)
    {
        var cell = slot.Ref.Cell;
        var actor = cell.Actor;
        var status = cell.IsTerminated ? "terminated"
            : slot.Stopping ? "stopping"
            : actor is null ? "restarting"
            : "running";
        var children = cell.ChildSlots
            .OrderBy(child => child.Ref.Path.Name, StringComparer.Ordinal)
            .Select(Describe)
            .ToArray();
        return new ActorTreeNode(
            cell.Self.Path.ToString(),
            cell.Self.Path.Name,
            actor?.GetType().Name,
            status,
            (actor as IDescribesActorState)?.DescribeState(),
            cell.RestartCount,
            cell.Mailbox.Count,
            children);
    }
}
