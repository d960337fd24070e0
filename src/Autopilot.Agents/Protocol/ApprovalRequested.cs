using System.Text.Json.Serialization;
using Autopilot.Agents.Serialization;

namespace Autopilot.Agents.Protocol;

/// <summary>
/// A decision needs a human: the orchestrator did NOT carry out <paramref name="Action"/> and asks for an approval
/// instead — because its confidence lies in the review band of that action, or because the readiness gate said
/// WARNING where policy does not allow WARNING deploys. Nothing executes on this event; a WARNING alert saying a human
/// decision is needed goes out with it. Approving or rejecting it (Telegram buttons, the CLI) builds on this event and
/// its <paramref name="ApprovalId"/>.
/// </summary>
/// <param name="ApprovalId">Identity of the pending approval (<c>apr-…</c>).</param>
/// <param name="Service">Service concerned.</param>
/// <param name="Action">The policy action awaiting approval (e.g. <c>restart</c>, <c>rollback</c>, <c>deploy</c>).</param>
/// <param name="Reason">Why a human is asked (confidence band, readiness WARNING), redacted.</param>
/// <param name="Confidence">The decision's confidence, 0–100.</param>
/// <param name="Evidence">What the decision rests on (situation, evidence line, confidence basis, readiness checks), redacted.</param>
/// <param name="Commit">Commit concerned, if any.</param>
/// <param name="DeploymentId">Deployment concerned, if any.</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.approval_requested", Version = 1)]
public sealed record ApprovalRequested(
    string ApprovalId, string Service, string Action, string Reason, int Confidence, IReadOnlyDictionary<string, string> Evidence, string? Commit, string? DeploymentId,
    DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.Autopilot;
}
