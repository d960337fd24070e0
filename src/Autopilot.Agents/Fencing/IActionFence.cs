namespace Autopilot.Agents.Fencing;

/// <summary>
/// Whether this node may still act on the platforms on behalf of the orchestrator. In a cluster the orchestrator is a
/// singleton that holds a lease; a leader that is frozen (a long GC pause, a stalled VM, a network partition) can wake
/// up after its lease ran out and another node took over. Its actors do not know that yet, and anything they still have
/// in flight — a rollback, an issue, an alert — would then be done twice, or worse, against the new leader's decisions.
/// Every worker therefore asks <see cref="Check"/> synchronously right before each call that changes something on a
/// platform (deploy, rollback, restart, redeploy, issue, workflow dispatch, n8n retry, fallback run, alert delivery),
/// and makes no call when the fence is not held. Reads (status, lists, logs, health probes) are not fenced.
/// </summary>
/// <remarks>
/// <para>
/// The daemon implements it over its lease (Akka.Coordination; the PostgreSQL lease hands out a fencing token that
/// grows on every acquisition); this project only defines the abstraction and the single-node default
/// <see cref="ActionFence.Unfenced"/>. <see cref="Check"/> is called on actor threads and on thread-pool threads
/// (between the awaits of a platform call), often: it must be thread-safe, must not block and must not do I/O — answer
/// from what the lease already knows (e.g. its own expiry on the local clock, with a safety margin).
/// </para>
/// <para>
/// The orchestrator stores <see cref="FenceCheck.Token"/> in <see cref="Protocol.ActionRequested.FencingToken"/> and,
/// when it starts with a token, records <see cref="Protocol.SingletonStarted"/> with <see cref="FenceCheck.Holder"/>.
/// </para>
/// </remarks>
public interface IActionFence
{
    /// <summary>
    /// Whether this node holds the orchestrator's lease right now, with the lease's fencing token and this node's name.
    /// Called right before each platform side effect; a <see cref="FenceCheck.Held"/> of false means: make no call.
    /// </summary>
    FenceCheck Check();
}
