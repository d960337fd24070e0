using Autopilot.Agents.Protocol;
using Autopilot.Platforms.Telegram;

namespace Autopilot.Agents.Alerts;

/// <summary>Sends alerts straight to a Telegram chat through the Bot API (HTML, escaped).</summary>
public sealed class TelegramAlertChannel : IAlertChannel
{
    private readonly TelegramBotClient _client;
    private readonly TelegramChatId _chat;

    /// <summary>Creates the channel for <paramref name="chat"/>.</summary>
    public TelegramAlertChannel(TelegramBotClient client, TelegramChatId chat)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _chat = chat;
    }

    /// <inheritdoc />
    public string Name => AlertChannelNames.Telegram;

    /// <inheritdoc />
    public Task DeliverAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _client.SendMessageAsync(_chat, Format(message), TelegramParseMode.Html, cancellationToken);
    }

    /// <summary>The message text: severity and title in bold, then the body.</summary>
    public static string Format(AlertMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var icon = message.Severity switch
        {
            AlertSeverity.Critical => "🚨",
            AlertSeverity.Warning => "⚠️",
            _ => "ℹ️",
        };
        return $"{icon} <b>{message.Severity.ToString().ToUpperInvariant()}: {TelegramHtml.Escape(message.Title)}</b>\n{TelegramHtml.Escape(message.Body)}";
    }
}
