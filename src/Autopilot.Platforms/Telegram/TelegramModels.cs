namespace Autopilot.Platforms.Telegram;

/// <summary>A Telegram user or bot (the Bot API's <c>User</c>), as returned by <c>getMe</c>.</summary>
/// <param name="Id">Unique identifier.</param>
/// <param name="IsBot">True for bots.</param>
/// <param name="FirstName">First name (a bot's display name).</param>
/// <param name="Username">Username without '@', when set.</param>
public sealed record TelegramUser(long Id, bool IsBot, string FirstName, string? Username);

/// <summary>The chat a message belongs to (the Bot API's <c>Chat</c>, reduced to what we use).</summary>
/// <param name="Id">Chat identifier.</param>
/// <param name="Type"><c>private</c>, <c>group</c>, <c>supergroup</c> or <c>channel</c>.</param>
public sealed record TelegramChat(long Id, string Type);

/// <summary>A message the bot sent (the Bot API's <c>Message</c>, reduced to what we use).</summary>
/// <param name="MessageId">Identifier inside the chat, e.g. to edit or reply to it later.</param>
/// <param name="Chat">Where it was sent.</param>
/// <param name="Date">When Telegram accepted it.</param>
/// <param name="Text">The text as Telegram stored it (markup already parsed away).</param>
public sealed record TelegramMessage(long MessageId, TelegramChat Chat, DateTimeOffset Date, string? Text);

/// <summary>One inline keyboard button that sends <c>callback_data</c> back when pressed (the Bot API's <c>InlineKeyboardButton</c>).</summary>
/// <param name="Text">The label.</param>
/// <param name="CallbackData">What a press sends back in <c>callback_query.data</c>, 1–64 bytes.</param>
public sealed record TelegramInlineButton(string Text, string CallbackData);

/// <summary>Buttons under a message (the Bot API's <c>InlineKeyboardMarkup</c>): rows of buttons.</summary>
/// <param name="Rows">The rows, top first.</param>
public sealed record TelegramInlineKeyboard(IReadOnlyList<IReadOnlyList<TelegramInlineButton>> Rows);

/// <summary>A press of an inline button (the Bot API's <c>CallbackQuery</c>, reduced to what we use).</summary>
/// <param name="Id">Identity, to answer it with <c>answerCallbackQuery</c>.</param>
/// <param name="From">Who pressed.</param>
/// <param name="Data">The button's <c>callback_data</c>.</param>
/// <param name="Message">The message the button was under, when Telegram still has it.</param>
public sealed record TelegramCallbackQuery(string Id, TelegramUser From, string? Data, TelegramMessage? Message);

/// <summary>An update from <c>getUpdates</c> (the Bot API's <c>Update</c>): its id, a button press if it is one, and the whole update as JSON.</summary>
/// <param name="UpdateId">The update's identifier (increasing; the next <c>getUpdates</c> offset is the last one + 1).</param>
/// <param name="CallbackQuery">The button press it carries, if any.</param>
/// <param name="Json">The update exactly as the Bot API's JSON, as a webhook would have delivered it.</param>
public sealed record TelegramUpdate(long UpdateId, TelegramCallbackQuery? CallbackQuery, System.Text.Json.JsonElement Json);
