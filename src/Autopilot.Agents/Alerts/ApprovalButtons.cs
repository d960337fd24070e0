namespace Autopilot.Agents.Alerts;

/// <summary>
/// The <c>callback_data</c> of an approval's buttons, <c>approve:&lt;id&gt;</c> and <c>reject:&lt;id&gt;</c>: what a press
/// sends back, read by the orchestrator. Telegram allows at most 64 bytes.
/// </summary>
public static class ApprovalButtons
{
    /// <summary>Telegram's limit on <c>callback_data</c>.</summary>
    public const int MaxCallbackDataBytes = 64;

    /// <summary>The Approve button's data.</summary>
    public static string Approve(string approvalId) => Checked($"approve:{approvalId}");

    /// <summary>The Reject button's data.</summary>
    public static string Reject(string approvalId) => Checked($"reject:{approvalId}");

    /// <summary>Reads a button's data: the approval and whether it approves; null when it is not an approval button.</summary>
    public static (string ApprovalId, bool Approve)? Parse(string? data) => data switch
    {
        { Length: > 8 } when data.StartsWith("approve:", StringComparison.Ordinal) => (data[8..], true),
        { Length: > 7 } when data.StartsWith("reject:", StringComparison.Ordinal) => (data[7..], false),
        _ => null,
    };

    private static string Checked(string data) => System.Text.Encoding.UTF8.GetByteCount(data) <= MaxCallbackDataBytes
        ? data
        : throw new ArgumentException($"callback_data \"{data}\" is longer than Telegram's {MaxCallbackDataBytes} bytes.");
}
