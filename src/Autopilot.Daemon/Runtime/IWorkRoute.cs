using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Intake;

namespace Autopilot.Daemon.Runtime;

/// <summary>
/// How work accepted by the HTTP edge (verified webhooks, security events, operator commands) reaches the orchestrator.
/// A single node hands it straight to its actors (<see cref="ActorWorkRoute"/>); a cluster node stores it in the
/// durable inbox, which the leader drains through its own <see cref="ActorWorkRoute"/>, so both modes share one path
/// into the intake and the orchestrator.
/// </summary>
public interface IWorkRoute
{
    /// <summary>Hands over a verified delivery; returns once it is durable.</summary>
    /// <exception cref="WorkUnavailableException">It could not be made durable now; the sender should deliver again.</exception>
    Task<DeliveryOutcome> SubmitDeliveryAsync(ReceiveDelivery delivery, CancellationToken cancellationToken);

    /// <summary>Records a security event of the edge (rejected signature or token); returns once it is durable.</summary>
    /// <exception cref="WorkUnavailableException">It could not be made durable now.</exception>
    Task RecordSecurityEventAsync(SecurityEventRecorded securityEvent, CancellationToken cancellationToken);

    /// <summary>Sends an operator's control message and returns the orchestrator's answer.</summary>
    /// <exception cref="OrchestratorUnavailableException">No orchestrator answered in time (see <see cref="OrchestratorUnavailableException.TimedOut"/>).</exception>
    Task<ControlAck> SendCommandAsync(object command, CancellationToken cancellationToken);
}

/// <summary>What became of a submitted delivery.</summary>
public enum DeliveryOutcome
{
    /// <summary>New: stored now, handled once.</summary>
    Accepted,

    /// <summary>Its delivery id was known: not processed again.</summary>
    Duplicate,
}

/// <summary>Work could not be made durable now (starting, stopping, journal or cluster database not answering); the caller answers 503.</summary>
/// <param name="message">What to tell the sender (no secrets).</param>
/// <param name="inner">The failure behind it, for logs.</param>
public sealed class WorkUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
