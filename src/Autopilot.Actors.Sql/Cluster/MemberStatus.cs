namespace Autopilot.Actors.Sql.Cluster;

/// <summary>
/// Where a member is in its life in the cluster, in the order Akka users know. Within one incarnation a member
/// only moves forward: Joining → Up → Leaving → Exiting → Removed (graceful), or from any live state → Down →
/// Removed (failure detector or operator).
/// </summary>
public enum MemberStatus
{
    /// <summary>Registered, has not yet proven it can heartbeat.</summary>
    Joining,

    /// <summary>Heartbeating; may hold singleton leases.</summary>
    Up,

    /// <summary>Leaving gracefully: handing over what it holds, no longer takes leases.</summary>
    Leaving,

    /// <summary>Handover done, shutting down.</summary>
    Exiting,

    /// <summary>Declared dead (missed heartbeats, or an operator said so); its leases were expired. It must not act.</summary>
    Down,

    /// <summary>Gone from the cluster; the row stays so the next start of this node id gets a higher incarnation.</summary>
    Removed,
}
