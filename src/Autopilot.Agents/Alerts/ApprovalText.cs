using Autopilot.Agents.Protocol;
using Autopilot.Platforms.Telegram;

namespace Autopilot.Agents.Alerts;

/// <summary>
/// The text of an approval's Telegram message (HTML, escaped), built from the recorded <see cref="ApprovalRequested"/>
/// alone, so the orchestrator can build it again to edit the message after a restart.
/// </summary>
public static class ApprovalText
{
    /// <summary>The message asking for a decision: what, why, the evidence, and when it expires.</summary>
    public static string Request(ApprovalRequested approval, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(approval);
        var lines = new List<string>
        {
            $"🛂 <b>Approval needed: {TelegramHtml.Escape(approval.Action)} of {TelegramHtml.Escape(approval.Service)}</b>",
            $"Why: {TelegramHtml.Escape(approval.Reason)}",
        };
        if (approval.Confidence is { } confidence)
        {
            lines.Add($"Confidence: {confidence}/100");
        }

        foreach (var (key, value) in approval.Evidence.OrderBy(e => e.Key == ApprovalEvidence.LogTail).ThenBy(e => e.Key, StringComparer.Ordinal))
        {
            lines.Add(key == ApprovalEvidence.LogTail
                ? $"Last log lines:\n<pre>{TelegramHtml.Escape(Tail(value))}</pre>"
                : $"{TelegramHtml.Escape(key)}: {TelegramHtml.Escape(value)}");
        }

        if (approval.DeploymentId is { } deployment) lines.Add($"Deployment: {TelegramHtml.Escape(deployment)}");
        if (approval.Commit is { } commit) lines.Add($"Commit: {TelegramHtml.Escape(commit)}");
        lines.Add($"Approval <code>{TelegramHtml.Escape(approval.ApprovalId)}</code> expires at {approval.At.Add(timeout).UtcDateTime:yyyy-MM-dd HH:mm} UTC.");
        return string.Join('\n', lines);
    }

    /// <summary>The same message once closed: its request, then what became of it.</summary>
    public static string Closed(ApprovalRequested approval, TimeSpan timeout, string outcome) =>
        $"{Request(approval, timeout)}\n\n<b>{TelegramHtml.Escape(outcome)}</b>";

    private static string Tail(string logTail)
    {
        // Telegram caps a message at 4096 characters: the last lines matter most.
        var lines = logTail.Split('\n');
        return string.Join('\n', lines.TakeLast(10));
    }
}
