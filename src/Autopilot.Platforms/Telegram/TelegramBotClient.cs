using System.Net;
using System.Text.Json;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;
using Microsoft.Extensions.Logging;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Telegram.Bot.Types.Enums;
using Telegram.Bot.Types.ReplyMarkups;
using BotClient = Telegram.Bot.TelegramBotClient;

namespace Autopilot.Platforms.Telegram;

/// <summary>
/// The alerting face of the Bot API: <c>getMe</c> to verify the token, <c>sendMessage</c> with long texts split
/// into several messages (optionally with an inline keyboard), and for approvals <c>answerCallbackQuery</c>,
/// <c>editMessageText</c>, <c>setWebhook</c> (with a <c>secret_token</c>) and <c>getUpdates</c> (long polling). The HTTP work is Telegram.Bot's (<see cref="BotClient"/>); this class keeps the
/// product's contract: every failure is a <see cref="TelegramApiException"/> (or a <see cref="PlatformException"/>
/// when no envelope came back), and flood control (429) is waited out for the server's <c>retry_after</c>
/// through <see cref="PlatformResilience"/> (Telegram.Bot's own automatic retry is switched off).
/// </summary>
/// <remarks>
/// The token is part of every URL (<c>/bot&lt;token&gt;/method</c>). It is registered with the
/// <see cref="Redactor"/> and the client only ever logs or reports the method name, so neither logs nor
/// exception messages can carry it.
/// </remarks>
public sealed class TelegramBotClient
{
    private const int SnippetLength = 300;

    private readonly BotClient _bot;
    private readonly Redactor _redactor;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly PlatformResilience _resilience;

    /// <summary>Creates a client for the bot identified by <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">The token is blank or contains characters that cannot be part of a URL path segment.</exception>
    public TelegramBotClient(HttpClient httpClient, TelegramBotOptions options, Redactor redactor, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(logger);
        if (string.IsNullOrWhiteSpace(options.Token) || options.Token.Any(c => c is '/' or '?' or '#' || char.IsWhiteSpace(c)))
        {
            // The message deliberately does not echo the token.
            throw new ArgumentException("The Telegram bot token is empty or malformed.", nameof(options));
        }

        redactor.Register(options.Token);
        TelegramBotClientOptions botOptions;
        try
        {
            var baseUrl = options.BaseAddress is { } address && address != TelegramPlatform.DefaultBaseAddress
                ? address.GetLeftPart(UriPartial.Authority)
                : null;
            botOptions = new TelegramBotClientOptions(options.Token, baseUrl) { RetryCount = 0, RetryThreshold = 0 };
        }
        catch (ArgumentException)
        {
            throw new ArgumentException("The Telegram bot token is empty or malformed.", nameof(options));
        }

        _bot = new BotClient(botOptions, httpClient);
        _redactor = redactor;
        _logger = logger;
        _timeProvider = timeProvider;
        _resilience = new PlatformResilience(TelegramPlatform.Name, options.Call ?? PlatformCallOptions.Default, timeProvider, redactor, logger);
    }

    /// <summary>Returns the bot's own user — the cheapest way to prove the token works.</summary>
    public Task<PlatformResponse<TelegramUser>> GetMeAsync(CancellationToken cancellationToken = default) =>
        CallAsync("getMe", ct => _bot.GetMe(ct), user => new TelegramUser(user.Id, user.IsBot, user.FirstName, user.Username), cancellationToken);

    /// <summary>
    /// Sends <paramref name="text"/> to <paramref name="chatId"/>, split into several messages (in order) when it
    /// exceeds <see cref="TelegramMessageSplitter.MaxMessageLength"/>; formatting cut by a split is closed at the
    /// end of one part and reopened at the start of the next. Text must already be escaped for
    /// <paramref name="parseMode"/> (see <see cref="TelegramMarkdownV2"/>, <see cref="TelegramHtml"/>).
    /// </summary>
    /// <returns>One response per message sent. If a later part fails, earlier parts have already been delivered.</returns>
    public async Task<IReadOnlyList<PlatformResponse<TelegramMessage>>> SendMessageAsync(
        TelegramChatId chatId,
        string text,
        TelegramParseMode parseMode = TelegramParseMode.None,
        CancellationToken cancellationToken = default)
    {
        var parts = TelegramMessageSplitter.Split(text, parseMode);
        var chat = chatId.Id is { } id ? new ChatId(id) : new ChatId(chatId.Username!);
        var mode = parseMode switch
        {
            TelegramParseMode.Html => ParseMode.Html,
            TelegramParseMode.MarkdownV2 => ParseMode.MarkdownV2,
            _ => ParseMode.None,
        };
        var sent = new List<PlatformResponse<TelegramMessage>>(parts.Count);
        foreach (var part in parts)
        {
            sent.Add(await CallAsync("sendMessage", ct => _bot.SendMessage(chat, part, mode, cancellationToken: ct), ReadMessage, cancellationToken)
                .ConfigureAwait(false));
        }

        return sent;
    }

    /// <summary>
    /// Sends <paramref name="text"/> (at most one message's length, already escaped for <paramref name="parseMode"/>) with
    /// <paramref name="keyboard"/> under it (<c>reply_markup</c> = <c>InlineKeyboardMarkup</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The text needs more than one message: buttons belong to one message.</exception>
    public Task<PlatformResponse<TelegramMessage>> SendMessageAsync(
        TelegramChatId chatId, string text, TelegramParseMode parseMode, TelegramInlineKeyboard keyboard, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keyboard);
        if (TelegramMessageSplitter.Split(text, parseMode).Count != 1)
        {
            throw new ArgumentException("A message with buttons must fit in one Telegram message.", nameof(text));
        }

        var markup = Markup(keyboard);
        return CallAsync("sendMessage", ct => _bot.SendMessage(Chat(chatId), text, Mode(parseMode), replyMarkup: markup, cancellationToken: ct), ReadMessage, cancellationToken);
    }

    /// <summary>Answers a button press (<c>answerCallbackQuery</c>): the pressing user's client shows <paramref name="text"/>.</summary>
    public Task<PlatformResponse<bool>> AnswerCallbackQueryAsync(string callbackQueryId, string? text = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(callbackQueryId);
        return CallAsync("answerCallbackQuery", async ct =>
        {
            await _bot.AnswerCallbackQuery(callbackQueryId, text, cancellationToken: ct).ConfigureAwait(false);
            return true;
        }, done => done, cancellationToken);
    }

    /// <summary>
    /// Replaces the text of a message the bot sent (<c>editMessageText</c>); its inline keyboard is removed unless
    /// <paramref name="keyboard"/> gives a new one.
    /// </summary>
    public Task<PlatformResponse<TelegramMessage>> EditMessageTextAsync(
        TelegramChatId chatId, long messageId, string text, TelegramParseMode parseMode = TelegramParseMode.None, CancellationToken cancellationToken = default,
        TelegramInlineKeyboard? keyboard = null)
    {
        var markup = keyboard is null ? null : Markup(keyboard);
        return CallAsync("editMessageText",
            ct => _bot.EditMessageText(Chat(chatId), checked((int)messageId), text, Mode(parseMode), replyMarkup: markup, cancellationToken: ct), ReadMessage, cancellationToken);
    }

    /// <summary>
    /// Points the bot's updates at <paramref name="url"/> (<c>setWebhook</c>); Telegram then sends
    /// <paramref name="secretToken"/> in the <c>X-Telegram-Bot-Api-Secret-Token</c> header of every delivery.
    /// </summary>
    public Task<PlatformResponse<bool>> SetWebhookAsync(Uri url, string secretToken, IReadOnlyList<string>? allowedUpdates = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentException.ThrowIfNullOrEmpty(secretToken);
        _redactor.Register(secretToken);
        var allowed = allowedUpdates?.Select(u => Enum.Parse<UpdateType>(u.Replace("_", ""), ignoreCase: true)).ToArray();
        return CallAsync("setWebhook", async ct =>
        {
            await _bot.SetWebhook(url.ToString(), allowedUpdates: allowed, secretToken: secretToken, cancellationToken: ct).ConfigureAwait(false);
            return true;
        }, done => done, cancellationToken);
    }

    /// <summary>
    /// Long polling (<c>getUpdates</c>): the updates after <paramref name="offset"/> (the last update id seen + 1), waiting
    /// up to <paramref name="timeout"/> on the server for one to arrive. Only works while no webhook is set.
    /// </summary>
    public Task<PlatformResponse<IReadOnlyList<TelegramUpdate>>> GetUpdatesAsync(long? offset, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var seconds = (int)Math.Clamp(timeout.TotalSeconds, 0, 50);
        return CallAsync("getUpdates",
            ct => _bot.GetUpdates(offset is { } o ? checked((int)o) : null, 100, seconds, [UpdateType.CallbackQuery], ct),
            updates => (IReadOnlyList<TelegramUpdate>)updates.Select(ReadUpdate).ToArray(), cancellationToken);
    }

    /// <summary>Reads a <c>callback_query</c> out of an update's JSON (as a webhook delivers it), or null when it is none.</summary>
    public static TelegramCallbackQuery? CallbackQueryOf(JsonElement update)
    {
        var parsed = update.Deserialize<Update>(JsonBotAPI.Options);
        return parsed?.CallbackQuery is { } query ? ReadCallbackQuery(query) : null;
    }

    private static ChatId Chat(TelegramChatId chatId) => chatId.Id is { } id ? new ChatId(id) : new ChatId(chatId.Username!);

    private static ParseMode Mode(TelegramParseMode parseMode) => parseMode switch
    {
        TelegramParseMode.Html => ParseMode.Html,
        TelegramParseMode.MarkdownV2 => ParseMode.MarkdownV2,
        _ => ParseMode.None,
    };

    private static InlineKeyboardMarkup Markup(TelegramInlineKeyboard keyboard) => new(
        keyboard.Rows.Select(row => row.Select(b => InlineKeyboardButton.WithCallbackData(b.Text, b.CallbackData))));

    private static TelegramUpdate ReadUpdate(Update update) => new(
        update.Id,
        update.CallbackQuery is { } query ? ReadCallbackQuery(query) : null,
        JsonSerializer.SerializeToElement(update, JsonBotAPI.Options));

    private static TelegramCallbackQuery ReadCallbackQuery(CallbackQuery query) => new(
        query.Id,
        new TelegramUser(query.From.Id, query.From.IsBot, query.From.FirstName, query.From.Username),
        query.Data,
        query.Message is { } message ? ReadMessage(message) : null);

    private Task<PlatformResponse<T>> CallAsync<TResult, T>(
        string method, Func<CancellationToken, Task<TResult>> send, Func<TResult, T> read, CancellationToken cancellationToken) =>
        _resilience.ExecuteAsync(async attemptToken =>
        {
            var started = _timeProvider.GetTimestamp();
            TResult result;
            try
            {
                result = await send(attemptToken).ConfigureAwait(false);
            }
            catch (ApiRequestException e)
            {
                var failed = new PlatformCall(TelegramPlatform.Name, method, e.ErrorCode, _timeProvider.GetElapsedTime(started), _redactor.Snippet(e.Message, SnippetLength));
                _logger.LogDebug("{Platform} {Operation} answered {StatusCode} in {Duration}: {Body}", failed.Platform, failed.Operation, failed.StatusCode, failed.Duration, failed.BodySnippet);
                throw new TelegramApiException(method, e.ErrorCode, _redactor.Redact(e.Message),
                    e.Parameters?.RetryAfter is { } seconds ? TimeSpan.FromSeconds(seconds) : null, e.Parameters?.MigrateToChatId);
            }
            catch (RequestException e) when (!attemptToken.IsCancellationRequested)
            {
                throw NonEnvelopeFailure(method, e);
            }

            var snippet = _redactor.Snippet(JsonSerializer.Serialize(result, JsonBotAPI.Options), SnippetLength);
            var call = new PlatformCall(TelegramPlatform.Name, method, (int)HttpStatusCode.OK, _timeProvider.GetElapsedTime(started), snippet);
            _logger.LogDebug("{Platform} {Operation} answered {StatusCode} in {Duration}: {Body}", call.Platform, call.Operation, call.StatusCode, call.Duration, call.BodySnippet);
            return new PlatformResponse<T>(read(result), call);
        }, cancellationToken);

    /// <summary>
    /// Telegram.Bot could not read a Bot API envelope: an answer from something in between (proxy, load balancer),
    /// or no answer at all. Neither the library's message nor the inner exception can carry the URL (and so the
    /// token) out: only the status and the redacted cause are kept.
    /// </summary>
    private PlatformException NonEnvelopeFailure(string method, RequestException e)
    {
        var status = e.HttpStatusCode is { } code ? (int)code : (int?)null;
        if (status is null)
        {
            return new PlatformUnavailableException(TelegramPlatform.Name,
                $"Telegram {method} failed without an answer: {_redactor.Redact(e.InnerException?.Message ?? e.Message)}");
        }

        var message = $"Telegram {method} answered {status} without a Bot API envelope.";
        return status >= 500 || status is 408 or 429
            ? new PlatformUnavailableException(TelegramPlatform.Name, message, status)
            : new PlatformRequestException(TelegramPlatform.Name, message, status);
    }

    private static TelegramMessage ReadMessage(Message message) => new(
        message.MessageId,
        new TelegramChat(message.Chat.Id, message.Chat.Type.ToString().ToLowerInvariant()),
        new DateTimeOffset(DateTime.SpecifyKind(message.Date, DateTimeKind.Utc)),
        message.Text);
}
