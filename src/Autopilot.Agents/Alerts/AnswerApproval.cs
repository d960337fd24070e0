using Autopilot.Agents.Protocol;

namespace Autopilot.Agents.Alerts;

/// <summary>
/// Answer a button press (<c>answerCallbackQuery</c>, so the user's client stops its spinner and shows the answer)
/// and/or edit an approval's message to show what became of it (buttons removed). Either part may be absent.
/// </summary>
/// <param name="ActionId">The recorded request.</param>
/// <param name="CallbackQueryId">The press to answer, or null.</param>
/// <param name="CallbackText">What the pressing user is told.</param>
/// <param name="MessageRef">The message to edit, <c>chat:message_id</c>, or null.</param>
/// <param name="Text">The message's new text (HTML, escaped).</param>
public sealed record AnswerApproval(string ActionId, string? CallbackQueryId, string? CallbackText, string? MessageRef, string? Text) : IWorkerCommand;
