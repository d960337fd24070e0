using Akka.Actor;
using Akka.Actor.Internal;

namespace Autopilot.Daemon.Runtime;

/// <summary>One actor in a point-in-time snapshot of the actor tree (<c>/api/actors</c>, mailbox metrics).</summary>
/// <param name="Path">Full path, e.g. <c>akka://autopilotd/user/orchestrator/orchestrator/railway</c>.</param>
/// <param name="Name">Last path element.</param>
/// <param name="ActorType">CLR type name from the actor's props.</param>
/// <param name="Status"><c>running</c> or <c>terminated</c>.</param>
/// <param name="State">A short state description, if the actor offers one (not in this build: null).</param>
/// <param name="RestartCount">Restarts at this path since the daemon started, as <see cref="RestartCounter"/> counted them.</param>
/// <param name="MailboxDepth">Messages waiting in its mailbox (approximate).</param>
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
/// Read-only diagnostics over Akka's local actor cells: walks <c>/user</c> without sending messages, so it works even
/// when an actor is stuck.
/// </summary>
public static class ActorTreeSnapshot
{
    /// <summary>The actors under <c>/user</c> with their subtrees.</summary>
    /// <param name="system">The actor system.</param>
    /// <param name="restarts">Restarts by path without address (from <see cref="RestartCounter"/>); none when null.</param>
    public static IReadOnlyList<ActorTreeNode> Capture(ActorSystem system, IReadOnlyDictionary<string, int>? restarts = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (system is not ExtendedActorSystem extended || extended.Guardian is not ActorRefWithCell guardian)
        {
            return [];
        }

        return Children(guardian, 0, restarts ?? new Dictionary<string, int>());
    }

    private static IReadOnlyList<ActorTreeNode> Children(ActorRefWithCell parent, int depth, IReadOnlyDictionary<string, int> restarts)
    {
        if (depth > 32)
        {
            return [];
        }

        return parent.Children
            .OfType<ActorRefWithCell>()
            // Stream materializers' own supervisors are plumbing, not part of the autopilot's tree.
            .Where(c => !c.Path.Name.StartsWith("StreamSupervisor-", StringComparison.Ordinal))
            .OrderBy(c => c.Path.Name, StringComparer.Ordinal)
            .Select(child => Describe(child, depth, restarts))
            .ToArray();
    }

    private static ActorTreeNode Describe(ActorRefWithCell actor, int depth, IReadOnlyDictionary<string, int> restarts)
    {
        var cell = actor.Underlying;
        return new ActorTreeNode(
            actor.Path.ToString(),
            actor.Path.Name,
            cell.Props?.Type?.Name,
            cell.IsTerminated ? "terminated" : "running",
            null,
            restarts.GetValueOrDefault(actor.Path.ToStringWithoutAddress()),
            cell.NumberOfMessages,
            Children(actor, depth + 1, restarts));
    }
}
