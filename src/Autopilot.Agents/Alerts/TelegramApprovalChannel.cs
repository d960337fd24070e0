using Autopilot.Platforms.Telegram;

namespace Autopilot.Agents.Alerts;

/// <summary>Approvals in a Telegram chat through the Bot API: a message with an inline keyboard, answered and edited in place.</summary>
public sealed class TelegramApprovalChannel : IApprovalChannel
{
    private readonly TelegramBotClient _client;
    private readonly TelegramChatId _chat;

    /// <summary>Creates the channel for <paramref name="chat"/> (the alerts chat).</summary>
    public TelegramApprovalChannel(TelegramBotClient client, TelegramChatId chat)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _chat = chat;
    }

    /// <inheritdoc />
    public async Task<string> SendAsync(string approvalId, string text, CancellationToken cancellationToken)
    {
        var keyboard = new TelegramInlineKeyboard([[
            new TelegramInlineButton("✅ Approve", ApprovalButtons.Approve(approvalId)),
            new TelegramInlineButton("❌ Reject", ApprovalButtons.Reject(approvalId)),
        ]]);
        var sent = await _client.SendMessageAsync(_chat, text, TelegramParseMode.Html, keyboard, cancellationToken).ConfigureAwait(false);
        var message = sent.Value;
        return $"{message.Chat.Id}:{message.MessageId}";
    }

    /// <inheritdoc />
    public Task AnswerAsync(string callbackQueryId, string text, CancellationToken cancellationToken) =>
        _client.AnswerCallbackQueryAsync(callbackQueryId, text, cancellationToken);

    /// <inheritdoc />
    public Task EditAsync(string messageRef, string text, CancellationToken cancellationToken)
    {
        var colon = messageRef.LastIndexOf(':');
        var chat = long.Parse(messageRef[..colon], System.Globalization.CultureInfo.InvariantCulture);
        var message = long.Parse(messageRef[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return _client.EditMessageTextAsync(TelegramChatId.FromId(chat), message, text, TelegramParseMode.Html, cancellationToken);
    }
}
