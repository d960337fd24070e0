namespace Autopilot.Actors.Sql.Cluster;

/// <summary>
/// A member reached a new status (named as in Akka.Cluster). Observers of other nodes see changes at their next
/// heartbeat and may see only the latest of several quick changes, but never a member going backwards.
/// </summary>
/// <param name="Member">The member as it is now.</param>
public abstract record MemberEvent(Member Member)
{
    /// <summary>The event announcing <paramref name="member"/>'s current status.</summary>
    public static MemberEvent For(Member member) => member.Status switch
    {
        MemberStatus.Joining => new MemberJoined(member),
        MemberStatus.Up => new MemberUp(member),
        MemberStatus.Leaving => new MemberLeft(member),
        MemberStatus.Exiting => new MemberExited(member),
        MemberStatus.Down => new MemberDowned(member),
        MemberStatus.Removed => new MemberRemoved(member),
        _ => throw new ArgumentOutOfRangeException(nameof(member), member.Status, "Unknown member status."),
    };
}

/// <summary>A node registered (status Joining).</summary>
public sealed record MemberJoined(Member Member) : MemberEvent(Member);

/// <summary>A node is Up.</summary>
public sealed record MemberUp(Member Member) : MemberEvent(Member);

/// <summary>A node started leaving gracefully (status Leaving).</summary>
public sealed record MemberLeft(Member Member) : MemberEvent(Member);

/// <summary>A leaving node finished its handover (status Exiting).</summary>
public sealed record MemberExited(Member Member) : MemberEvent(Member);

/// <summary>A node was declared Down; if it is this node, the process must stop acting and shut down.</summary>
public sealed record MemberDowned(Member Member) : MemberEvent(Member);

/// <summary>A node is gone from the cluster (also sent for the old incarnation when a node id restarts).</summary>
public sealed record MemberRemoved(Member Member) : MemberEvent(Member);
