namespace Autopilot.Simulator.Telegram;

/// <summary>A message the fake accepted (as it is now: an edit replaces it).</summary>
/// <param name="MessageId">Id the fake assigned (increasing per chat).</param>
/// <param name="ChatId">The chat's numeric id.</param>
/// <param name="RawText">The <c>text</c> parameter exactly as sent, markup included.</param>
/// <param name="ParseMode">The <c>parse_mode</c> parameter, if any.</param>
/// <param name="Text">What a user would see: the text with markup parsed away.</param>
/// <param name="Date">When the fake accepted it, on its clock.</param>
/// <param name="Keyboard">Its inline keyboard (<c>reply_markup</c>), rows of buttons; null when it has none.</param>
/// <param name="EditedAt">When it was last edited (<c>editMessageText</c>), if ever.</param>
public sealed record TelegramFakeMessage(
    long MessageId, long ChatId, string RawText, string? ParseMode, string Text, DateTimeOffset Date,
    IReadOnlyList<IReadOnlyList<TelegramFakeButton>>? Keyboard = null, DateTimeOffset? EditedAt = null);
