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
