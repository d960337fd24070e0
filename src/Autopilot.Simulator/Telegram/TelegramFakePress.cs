namespace Autopilot.Simulator.Telegram;

/// <summary>What became of a button press the test made (<see cref="TelegramFake.PressButton"/>).</summary>
/// <param name="UpdateId">The update's id.</param>
/// <param name="CallbackQueryId">The callback query's id (what <c>answerCallbackQuery</c> must name).</param>
/// <param name="WebhookStatus">The HTTP status the webhook answered, or null when the update was queued for <c>getUpdates</c>.</param>
public sealed record TelegramFakePress(long UpdateId, string CallbackQueryId, int? WebhookStatus);
