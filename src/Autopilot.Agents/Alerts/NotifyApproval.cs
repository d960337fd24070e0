using Autopilot.Agents.Protocol;

namespace Autopilot.Agents.Alerts;

/// <summary>
/// Send an approval's message with its Approve / Reject buttons to the approvers' chat (the alerts chat). The result's
/// detail names the message (<see cref="ActionParameters.SentAsPrefix"/><c>chat:message_id</c>) so the orchestrator
/// can edit it once someone decided or it expired.
/// </summary>
/// <param name="ActionId">The recorded request.</param>
/// <param name="ApprovalId">The approval (its buttons carry <c>approve:&lt;id&gt;</c> / <c>reject:&lt;id&gt;</c>).</param>
/// <param name="Text">The message (HTML, escaped).</param>
public sealed record NotifyApproval(string ActionId, string ApprovalId, string Text) : IWorkerCommand;
