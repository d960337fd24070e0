using Autopilot.Agents.Serialization;

namespace Autopilot.Agents.Protocol;

// Like the rest of the control protocol, these cross the network in a cluster (an HTTP edge on any node asks the
// orchestrator singleton through its proxy), so each carries a manifest.

/// <summary>
/// A human approves or rejects a pending approval (answered with <see cref="ControlAck"/>). Only the first decision
/// counts: a second one, or one after expiry, is refused and changes nothing. An approval decided while the autopilot
/// is paused is recorded but does not act; in dry-run its action is recorded as a dry-run decision.
/// </summary>
/// <param name="ApprovalId">The approval.</param>
/// <param name="Approve">True to approve, false to reject.</param>
/// <param name="By">Who decided, for the audit trail (the admin token's name, or the Telegram user).</param>
/// <param name="Channel"><see cref="ApprovalChannels"/>: where the decision was made.</param>
[EventManifest("autopilot.control.decide_approval")]
public sealed record DecideApproval(string ApprovalId, bool Approve, string By, string Channel);

/// <summary>Asks for the approvals still waiting for a human (answered with <see cref="PendingApprovals"/>).</summary>
[EventManifest("autopilot.control.get_pending_approvals")]
public sealed record GetPendingApprovals;

/// <summary>The approvals still waiting for a human, oldest first.</summary>
/// <param name="Approvals">Each as it was requested.</param>
/// <param name="ExpiresAfter">How long an approval waits before it expires (<c>autopilot.agents.approvals.timeout</c>).</param>
[EventManifest("autopilot.control.pending_approvals")]
public sealed record PendingApprovals(IReadOnlyList<ApprovalRequested> Approvals, TimeSpan ExpiresAfter);
