using Akka.Actor;

namespace Autopilot.Agents.Protocol;

/// <summary>
/// Published on the actor system's event stream by each long-lived actor of the tree whenever an incarnation of it
/// starts. A second start at the same path is a restart, whoever caused it — Akka restarting it in place, the
/// orchestrator starting a failed worker again, or a backoff supervisor starting a fresh child — which the actor itself
/// cannot count, since every incarnation begins from nothing. The host counts them (restart metrics, the actor tree).
/// </summary>
/// <param name="Path">The actor's path without address, e.g. <c>/user/orchestrator/orchestrator/railway</c>.</param>
public sealed record IncarnationStarted(string Path)
{
    /// <summary>Publishes the start of <paramref name="context"/>'s actor; call it from <c>PreStart</c>.</summary>
    public static void Announce(IActorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.System.EventStream.Publish(new IncarnationStarted(context.Self.Path.ToStringWithoutAddress()));
    }
}
