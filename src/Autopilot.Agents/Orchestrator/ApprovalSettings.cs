using Autopilot.Agents.Configuration;

namespace Autopilot.Agents.Orchestrator;

/// <summary>
/// How decisions that need a human are handled (<c>autopilot.agents.approvals</c>), plus who may decide in Telegram.
/// </summary>
/// <param name="Timeout">A pending approval nobody decided expires after this long: recorded as expired, alerted, nothing done.</param>
/// <param name="TelegramApprovers">
/// Telegram user ids allowed to press Approve / Reject. The host fills it from <c>autopilot.platforms.telegram.approvers</c>
/// (the daemon's setting, beside the bot token); empty means nobody can decide in Telegram (the CLI still can).
/// </param>
public sealed record ApprovalSettings(TimeSpan Timeout, IReadOnlySet<long> TelegramApprovers)
{
    /// <summary>15 minutes, nobody allowed in Telegram: what an orchestrator built without settings uses.</summary>
    public static ApprovalSettings Default { get; } = new(TimeSpan.FromMinutes(15), new HashSet<long>());

    /// <summary>Reads <c>approvals.timeout</c> from the <c>autopilot.agents</c> section; the approvers come from the host.</summary>
    /// <exception cref="SettingException">A missing or malformed key, named in the exception.</exception>
    public static ApprovalSettings FromConfig(ConfigSection agents)
    {
        ArgumentNullException.ThrowIfNull(agents);
        return new ApprovalSettings(agents.GetPositiveTimeSpan("approvals.timeout"), new HashSet<long>());
    }
}
