namespace Autopilot.Agents.Alerts;

/// <summary>
/// Where approvals reach the humans who decide them (Telegram: a message with inline buttons). Every method makes one
/// attempt and throws when it failed; the alerts worker fences each call and reports its outcome to the orchestrator.
/// </summary>
public interface IApprovalChannel
{
    /// <summary>Sends an approval message with Approve / Reject buttons; returns the message as <c>chat:message_id</c>.</summary>
    Task<string> SendAsync(string approvalId, string text, CancellationToken cancellationToken);

    /// <summary>Answers a button press with a short notice to the user who pressed it.</summary>
    Task AnswerAsync(string callbackQueryId, string text, CancellationToken cancellationToken);

    /// <summary>Replaces the text of a sent approval message (<c>chat:message_id</c>) and removes its buttons.</summary>
    Task EditAsync(string messageRef, string text, CancellationToken cancellationToken);
}
