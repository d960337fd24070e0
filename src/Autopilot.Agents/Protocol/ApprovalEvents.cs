using System.Text.Json.Serialization;
using Autopilot.Agents.Serialization;

namespace Autopilot.Agents.Protocol;

/// <summary>
/// A decision that needs a human: the policy marks the action <c>approve:</c>, the service's action budget is spent,
/// or (issue 14) the confidence lies in the review band or the readiness gate said WARNING. Nothing runs until an
/// allowed human approves it (Telegram button or <c>autopilot approve</c>); it expires after
/// <c>autopilot.agents.approvals.timeout</c>. The event holds everything the action is rebuilt from, so a restart or a
/// fail-over keeps the approval pending and an approval after it acts exactly as the original decision would have.
/// </summary>
/// <param name="ApprovalId">Identity, short enough for Telegram's 64-byte <c>callback_data</c> (<c>approve:&lt;id&gt;</c>).</param>
/// <param name="Service">The service the action concerns.</param>
/// <param name="Action">The policy action waiting (e.g. <c>rollback</c>).</param>
/// <param name="Reason">Why a human is asked.</param>
/// <param name="Confidence">Confidence of the diagnosis (0–100), when one was computed.</param>
/// <param name="Evidence">
/// The situation the action was decided for: <c>situation</c>, <c>evidence</c>, <c>logTail</c> and the situation's
/// details (everything the action's parameters are built from); shown to the approver.
/// </param>
/// <param name="Commit">The commit concerned, if any.</param>
/// <param name="DeploymentId">The deployment concerned, if any.</param>
/// <param name="At">When it was requested.</param>
[EventManifest("autopilot.approval_requested", Version = 1)]
public sealed record ApprovalRequested(
    string ApprovalId, string Service, string Action, string Reason, int? Confidence, IReadOnlyDictionary<string, string> Evidence, string? Commit, string? DeploymentId,
    DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.Autopilot;
}

/// <summary>A human approved or rejected a pending approval; only the first decision counts.</summary>
/// <param name="ApprovalId">The approval.</param>
/// <param name="Approved">True: the action is requested (unless paused or in dry-run); false: nothing runs.</param>
/// <param name="By">Who decided (a Telegram user, or the admin token's name).</param>
/// <param name="Channel">Where: <c>telegram</c> or <c>cli</c>.</param>
/// <param name="At">When.</param>
[EventManifest("autopilot.approval_decided", Version = 1)]
public sealed record ApprovalDecided(string ApprovalId, bool Approved, string By, string Channel, DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.Autopilot;
}

/// <summary>Nobody decided in time: the approval is closed and nothing runs.</summary>
/// <param name="ApprovalId">The approval.</param>
/// <param name="At">When it expired.</param>
[EventManifest("autopilot.approval_expired", Version = 1)]
public sealed record ApprovalExpired(string ApprovalId, DateTimeOffset At) : IAuditEvent
{
    /// <inheritdoc />
    [JsonIgnore]
    public string Domain => AuditEvents.Domains.Autopilot;
}

/// <summary>Keys of <see cref="ApprovalRequested.Evidence"/> the orchestrator rebuilds the situation from.</summary>
public static class ApprovalEvidence
{
    /// <summary>The situation's name.</summary>
    public const string Situation = "situation";

    /// <summary>The situation's evidence text.</summary>
    public const string Text = "evidence";

    /// <summary>The last log lines, newline-separated.</summary>
    public const string LogTail = "logTail";
}

/// <summary>Values of <see cref="ApprovalDecided.Channel"/>.</summary>
public static class ApprovalChannels
{
    /// <summary>A button in Telegram.</summary>
    public const string Telegram = "telegram";

    /// <summary>The admin API (<c>autopilot approve|reject</c>).</summary>
    public const string Cli = "cli";
}
