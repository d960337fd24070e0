using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;
using Microsoft.Extensions.Logging;

namespace Autopilot.Platforms.Telegram;

/// <summary>
/// A Bot API client for alerting: <c>getMe</c> to verify the token, <c>sendMessage</c> with long texts split
/// into several messages. Every failure is a <see cref="TelegramApiException"/> (or a
/// <see cref="PlatformException"/> when no envelope came back); flood control (429) is waited out for the
/// server's <c>retry_after</c> through <see cref="PlatformResilience"/>.
/// </summary>
/// <remarks>
/// The token is part of every URL (<c>/bot&lt;token&gt;/method</c>). It is registered with the
/// <see cref="Redactor"/> and the client only ever logs or reports the method name, so neither logs nor
/// exception messages can carry it.
/// </remarks>
public sealed class TelegramBotClient
{
    private const int SnippetLength = 300;

    private readonly HttpClient _httpClient;
    private readonly Uri _botAddress;
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
        _httpClient = httpClient;
        _botAddress = new Uri(options.BaseAddress ?? TelegramPlatform.DefaultBaseAddress, $"./bot{options.Token}/");
        _redactor = redactor;
        _logger = logger;
        _timeProvider = timeProvider;
        _resilience = new PlatformResilience(TelegramPlatform.Name, options.Call ?? PlatformCallOptions.Default, timeProvider, redactor, logger);
    }

    /// <summary>Returns the bot's own user — the cheapest way to prove the token works.</summary>
    public Task<PlatformResponse<TelegramUser>> GetMeAsync(CancellationToken cancellationToken = default) =>
        CallAsync("getMe", parameters: null, ReadUser, cancellationToken);

    /// <summary>
    /// Sends <paramref name="text"/> to <paramref name="chatId"/>, split into several messages (in order) when it
    /// exceeds <see cref="TelegramMessageSplitter.MaxMessageLength"/>. Text must already be escaped for
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
        var sent = new List<PlatformResponse<TelegramMessage>>(parts.Count);
        foreach (var part in parts)
        {
            var body = new JsonObject
            {
                ["chat_id"] = chatId.Id is { } id ? JsonValue.Create(id) : JsonValue.Create(chatId.Username),
                ["text"] = part,
            };
            if (parseMode != TelegramParseMode.None)
            {
                body["parse_mode"] = parseMode == TelegramParseMode.Html ? "HTML" : "MarkdownV2";
            }

            sent.Add(await CallAsync("sendMessage", body, ReadMessage, cancellationToken).ConfigureAwait(false));
        }

        return sent;
    }

    private Task<PlatformResponse<T>> CallAsync<T>(string method, JsonObject? parameters, Func<JsonElement, T> read, CancellationToken cancellationToken)
    {
        var payload = parameters?.ToJsonString();
        return _resilience.ExecuteAsync(async attemptToken =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_botAddress, method));
            if (payload is not null)
            {
                request.Content = new StringContent(payload, Encoding.UTF8, "application/json");
            }

            var started = _timeProvider.GetTimestamp();
            using var response = await _httpClient.SendAsync(request, attemptToken).ConfigureAwait(false);
            var responseBody = await response.Content.ReadAsStringAsync(attemptToken).ConfigureAwait(false);
            var call = new PlatformCall(TelegramPlatform.Name, method, (int)response.StatusCode, _timeProvider.GetElapsedTime(started), _redactor.Snippet(responseBody, SnippetLength));
            _logger.LogDebug("{Platform} {Operation} answered {StatusCode} in {Duration}: {Body}", call.Platform, call.Operation, call.StatusCode, call.Duration, call.BodySnippet);
            return new PlatformResponse<T>(ReadEnvelope(method, call, responseBody, read), call);
        }, cancellationToken);
    }

    private T ReadEnvelope<T>(string method, PlatformCall call, string responseBody, Func<JsonElement, T> read)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(responseBody);
        }
        catch (JsonException)
        {
            throw NonEnvelopeFailure(method, call);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("ok", out var ok) || ok.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                throw NonEnvelopeFailure(method, call);
            }

            if (ok.GetBoolean() && root.TryGetProperty("result", out var result))
            {
                try
                {
                    return read(result);
                }
                catch (Exception exception) when (exception is InvalidOperationException or KeyNotFoundException or FormatException)
                {
                    throw new PlatformRequestException(TelegramPlatform.Name, $"Telegram {method} returned a result we cannot read: {call.BodySnippet}", call.StatusCode);
                }
            }

            var errorCode = root.TryGetProperty("error_code", out var code) && code.TryGetInt32(out var parsed) ? parsed : call.StatusCode;
            var description = root.TryGetProperty("description", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString()! : "(no description)";
            TimeSpan? retryAfter = null;
            long? migrateTo = null;
            if (root.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object)
            {
                if (parameters.TryGetProperty("retry_after", out var seconds) && seconds.TryGetInt32(out var wait))
                {
                    retryAfter = TimeSpan.FromSeconds(wait);
                }

                if (parameters.TryGetProperty("migrate_to_chat_id", out var migrate) && migrate.TryGetInt64(out var chat))
                {
                    migrateTo = chat;
                }
            }

            throw new TelegramApiException(method, errorCode, _redactor.Redact(description), retryAfter, migrateTo);
        }
    }

    /// <summary>A response that is not a Bot API envelope came from something in between (proxy, load balancer).</summary>
    private static PlatformException NonEnvelopeFailure(string method, PlatformCall call)
    {
        var message = $"Telegram {method} answered {call.StatusCode} without a Bot API envelope: {call.BodySnippet}";
        return call.StatusCode >= 500 || call.StatusCode is 408 or 429
            ? new PlatformUnavailableException(TelegramPlatform.Name, message, call.StatusCode)
            : new PlatformRequestException(TelegramPlatform.Name, message, call.StatusCode);
    }

    private static TelegramUser ReadUser(JsonElement user) => new(
        user.GetProperty("id").GetInt64(),
        user.GetProperty("is_bot").GetBoolean(),
        user.GetProperty("first_name").GetString()!,
        user.TryGetProperty("username", out var username) ? username.GetString() : null);

    private static TelegramMessage ReadMessage(JsonElement message)
    {
        var chat = message.GetProperty("chat");
        return new TelegramMessage(
            message.GetProperty("message_id").GetInt64(),
            new TelegramChat(chat.GetProperty("id").GetInt64(), chat.GetProperty("type").GetString()!),
            DateTimeOffset.FromUnixTimeSeconds(message.GetProperty("date").GetInt64()),
            message.TryGetProperty("text", out var text) ? text.GetString() : null);
    }
}
