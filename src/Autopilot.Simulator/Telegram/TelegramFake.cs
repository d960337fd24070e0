using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Autopilot.Simulator.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Simulator.Telegram;

/// <summary>
/// A Bot API server for tests: <c>POST|GET /bot{token}/getMe</c> and <c>/bot{token}/sendMessage</c> with
/// parameters as JSON, form or query. It answers in the Bot API envelope (<c>ok</c>, <c>result</c> /
/// <c>error_code</c>, <c>description</c>, <c>parameters</c>) with the HTTP status equal to the error code:
/// 404 "Not Found" for a path that is not a well-formed token and method, 401 "Unauthorized" for an unknown
/// token, 400 "Bad Request: …" for bad parameters or markup, 403 for a chat that blocked the bot, and
/// scripted 429s with <c>retry_after</c>. Accepted messages are kept per chat.
/// <para>
/// For approvals it also speaks <c>sendMessage</c>'s <c>reply_markup</c> (an <c>InlineKeyboardMarkup</c> with
/// <c>callback_data</c> buttons, 1–64 bytes each), <c>editMessageText</c>, <c>answerCallbackQuery</c>,
/// <c>setWebhook</c> (with <c>secret_token</c>) / <c>deleteWebhook</c>, and <c>getUpdates</c> (409 while a webhook is
/// set, as the real server answers). A test presses a button with <see cref="PressButton"/>: the callback query is
/// POSTed to the webhook with the <c>X-Telegram-Bot-Api-Secret-Token</c> header, or queued for <c>getUpdates</c>.
/// </para>
/// </summary>
public sealed partial class TelegramFake : FakeServer
{
    // Like the real servers, write apostrophes, quotes in text and non-ASCII as themselves rather than \uXXXX.
    private static readonly JsonSerializerOptions PlainJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const int MaxTextLength = 4096;

    private readonly ConcurrentDictionary<string, JsonObject> _bots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, List<TelegramFakeMessage>> _messages = new();
    private readonly ConcurrentDictionary<string, long> _usernameChats = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<long, bool> _blockedChats = new();
    private readonly ConcurrentQueue<(int ErrorCode, string Description, int? RetryAfter)> _scriptedFailures = new();
    private readonly Lock _gate = new();
    private readonly List<JsonObject> _updates = [];
    private readonly ConcurrentDictionary<string, string?> _callbackAnswers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _openCallbacks = new(StringComparer.Ordinal);
    private readonly HttpClient _webhookClient = new();
    private readonly SemaphoreSlim _updateArrived = new(0);
    private long _nextUpdateId = 100_000;
    private volatile WebhookTarget? _webhook;

    /// <summary>Creates the fake; register bots with <see cref="AddBot"/>.</summary>
    public TelegramFake(TimeProvider timeProvider) : base(timeProvider)
    {
    }

    /// <summary>Makes <paramref name="token"/> valid; <c>getMe</c> answers with this bot.</summary>
    /// <exception cref="ArgumentException">The token is not of the form <c>&lt;bot id&gt;:&lt;secret&gt;</c>.</exception>
    public void AddBot(string token, string firstName = "Autopilot", string username = "autopilot_bot")
    {
        var match = TokenShape().Match(token);
        if (!match.Success)
        {
            throw new ArgumentException("A bot token looks like '123456:ABC-DEF…'.", nameof(token));
        }

        _bots[token] = new JsonObject
        {
            ["id"] = long.Parse(match.Groups["id"].Value, CultureInfo.InvariantCulture),
            ["is_bot"] = true,
            ["first_name"] = firstName,
            ["username"] = username,
            ["can_join_groups"] = true,
            ["can_read_all_group_messages"] = false,
            ["supports_inline_queries"] = false,
        };
    }

    /// <summary>Invalidates a token, as revoking it in BotFather does; later calls with it get 401.</summary>
    public void RevokeBot(string token) => _bots.TryRemove(token, out _);

    /// <summary>Makes sends to <paramref name="chatId"/> fail with 403 "Forbidden: bot was blocked by the user".</summary>
    public void BlockChat(long chatId) => _blockedChats[chatId] = true;

    /// <summary>The next <paramref name="times"/> valid-token calls answer 429 with <c>retry_after</c> = <paramref name="retryAfterSeconds"/>.</summary>
    public void RateLimitNext(int retryAfterSeconds, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            _scriptedFailures.Enqueue((429, $"Too Many Requests: retry after {retryAfterSeconds}", retryAfterSeconds));
        }
    }

    /// <summary>The next valid-token call answers <paramref name="errorCode"/> with <paramref name="description"/> (e.g. 500 "Internal Server Error").</summary>
    public void FailNext(int errorCode, string description) => _scriptedFailures.Enqueue((errorCode, description, null));

    /// <summary>Messages accepted for a chat, oldest first.</summary>
    public IReadOnlyList<TelegramFakeMessage> MessagesIn(long chatId)
    {
        lock (_gate)
        {
            return _messages.TryGetValue(chatId, out var list) ? list.ToArray() : [];
        }
    }

    /// <summary>Messages accepted for a channel addressed as <c>@username</c>.</summary>
    public IReadOnlyList<TelegramFakeMessage> MessagesIn(string username) =>
        _usernameChats.TryGetValue(username, out var id) ? MessagesIn(id) : [];

    private sealed record WebhookTarget(Uri Url, string? Secret);

    /// <summary>The webhook set with <c>setWebhook</c>, if any.</summary>
    public Uri? WebhookUrl => _webhook?.Url;

    /// <summary>The answer given to a callback query with <c>answerCallbackQuery</c> (text, possibly empty), or null when none was.</summary>
    public string? CallbackAnswer(string callbackQueryId) => _callbackAnswers.GetValueOrDefault(callbackQueryId);

    /// <summary>Whether the callback query was answered.</summary>
    public bool WasAnswered(string callbackQueryId) => _callbackAnswers.ContainsKey(callbackQueryId);

    /// <summary>
    /// A user presses a button of a message the bot sent: a <c>callback_query</c> update is POSTed to the webhook (with
    /// <c>X-Telegram-Bot-Api-Secret-Token</c> when a secret was set), or queued for <c>getUpdates</c> when none is set.
    /// The button must exist on the message (a press of a removed button cannot happen).
    /// </summary>
    /// <exception cref="InvalidOperationException">No such message, or no button with that data on it.</exception>
    public async Task<TelegramFakePress> PressButton(long chatId, long messageId, string callbackData, long userId, string? username = null, string firstName = "Operator")
    {
        TelegramFakeMessage message;
        lock (_gate)
        {
            message = (_messages.TryGetValue(chatId, out var list) ? list.FirstOrDefault(m => m.MessageId == messageId) : null)
                      ?? throw new InvalidOperationException($"No message {messageId} in chat {chatId}.");
        }

        if (message.Keyboard?.SelectMany(r => r).Any(b => b.CallbackData == callbackData) != true)
        {
            throw new InvalidOperationException($"Message {messageId} has no button with callback_data \"{callbackData}\".");
        }

        var updateId = Interlocked.Increment(ref _nextUpdateId);
        var queryId = $"{userId}{updateId}";
        _openCallbacks[queryId] = true;
        var from = new JsonObject { ["id"] = userId, ["is_bot"] = false, ["first_name"] = firstName };
        if (username is not null)
        {
            from["username"] = username;
        }

        var update = new JsonObject
        {
            ["update_id"] = updateId,
            ["callback_query"] = new JsonObject
            {
                ["id"] = queryId,
                ["from"] = from,
                ["message"] = MessageJson(message),
                ["chat_instance"] = $"{chatId}",
                ["data"] = callbackData,
            },
        };
        if (_webhook is { } webhook)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
            {
                Content = new StringContent(update.ToJsonString(PlainJson), System.Text.Encoding.UTF8, "application/json"),
            };
            if (webhook.Secret is { } secret)
            {
                request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", secret);
            }

            using var response = await _webhookClient.SendAsync(request);
            return new TelegramFakePress(updateId, queryId, (int)response.StatusCode);
        }

        lock (_gate)
        {
            _updates.Add(update);
        }

        _updateArrived.Release();
        return new TelegramFakePress(updateId, queryId, null);
    }

    /// <inheritdoc />
    protected override void MapEndpoints(IEndpointRouteBuilder endpoints) => endpoints.Map("/{**path}", HandleAsync);

    private async Task HandleAsync(HttpContext context)
    {
        var match = MethodPath().Match(context.Request.Path.Value ?? "");
        if (!match.Success || !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsPost(context.Request.Method))
        {
            await WriteErrorAsync(context, 404, "Not Found");
            return;
        }

        if (!_bots.TryGetValue(match.Groups["token"].Value, out var bot))
        {
            await WriteErrorAsync(context, 401, "Unauthorized");
            return;
        }

        var method = match.Groups["method"].Value.ToLowerInvariant();
        if (method is not ("getme" or "sendmessage" or "editmessagetext" or "answercallbackquery" or "setwebhook" or "deletewebhook" or "getupdates"))
        {
            await WriteErrorAsync(context, 404, "Not Found");
            return;
        }

        if (_scriptedFailures.TryDequeue(out var failure))
        {
            await WriteErrorAsync(context, failure.ErrorCode, failure.Description, failure.RetryAfter);
            return;
        }

        IReadOnlyDictionary<string, JsonNode?> parameters;
        try
        {
            parameters = await ReadParametersAsync(context.Request);
        }
        catch (JsonException)
        {
            await WriteErrorAsync(context, 400, "Bad Request: can't parse JSON object");
            return;
        }

        if (method == "getme")
        {
            await WriteResultAsync(context, bot.DeepClone());
            return;
        }

        switch (method)
        {
            case "sendmessage":
                await SendMessageAsync(context, bot, parameters);
                break;
            case "editmessagetext":
                await EditMessageTextAsync(context, bot, parameters);
                break;
            case "answercallbackquery":
                await AnswerCallbackQueryAsync(context, parameters);
                break;
            case "setwebhook":
                await SetWebhookAsync(context, parameters);
                break;
            case "deletewebhook":
                _webhook = null;
                await WriteResultAsync(context, JsonValue.Create(true));
                break;
            default:
                await GetUpdatesAsync(context, parameters);
                break;
        }
    }

    private async Task EditMessageTextAsync(HttpContext context, JsonObject bot, IReadOnlyDictionary<string, JsonNode?> parameters)
    {
        if (!long.TryParse(ScalarText(parameters.GetValueOrDefault("chat_id")), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var chatId))
        {
            await WriteErrorAsync(context, 400, "Bad Request: chat not found");
            return;
        }

        if (!long.TryParse(ScalarText(parameters.GetValueOrDefault("message_id")), NumberStyles.None, CultureInfo.InvariantCulture, out var messageId))
        {
            await WriteErrorAsync(context, 400, "Bad Request: message identifier is not specified");
            return;
        }

        if (await ReadBodyAsync(context, parameters) is not { } body)
        {
            return;
        }

        var (rawText, parseMode, text, keyboard) = body;

        if (text.Length > MaxTextLength)
        {
            await WriteErrorAsync(context, 400, "Bad Request: MESSAGE_TOO_LONG");
            return;
        }

        TelegramFakeMessage edited;
        lock (_gate)
        {
            var list = _messages.TryGetValue(chatId, out var found) ? found : null;
            var index = list?.FindIndex(m => m.MessageId == messageId) ?? -1;
            if (index < 0)
            {
                edited = null!;
            }
            else
            {
                var current = list![index];
                // Without reply_markup an edit removes the inline keyboard, as on the real server.
                if (current.RawText == rawText && current.ParseMode == parseMode && KeyboardsEqual(current.Keyboard, keyboard))
                {
                    edited = current with { EditedAt = DateTimeOffset.MinValue };
                }
                else
                {
                    edited = current with { RawText = rawText, ParseMode = parseMode, Text = text, Keyboard = keyboard, EditedAt = TimeProvider.GetUtcNow() };
                    list[index] = edited;
                }
            }
        }

        if (edited is null)
        {
            await WriteErrorAsync(context, 400, "Bad Request: message to edit not found");
            return;
        }

        if (edited.EditedAt == DateTimeOffset.MinValue)
        {
            await WriteErrorAsync(context, 400,
                "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message");
            return;
        }

        var json = MessageJson(edited, bot);
        json["edit_date"] = edited.EditedAt!.Value.ToUnixTimeSeconds();
        await WriteResultAsync(context, json);
    }

    private async Task AnswerCallbackQueryAsync(HttpContext context, IReadOnlyDictionary<string, JsonNode?> parameters)
    {
        var queryId = ScalarText(parameters.GetValueOrDefault("callback_query_id"));
        if (string.IsNullOrEmpty(queryId) || !_openCallbacks.TryRemove(queryId, out _))
        {
            await WriteErrorAsync(context, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid");
            return;
        }

        var text = ScalarText(parameters.GetValueOrDefault("text")) ?? "";
        if (text.Length > 200)
        {
            await WriteErrorAsync(context, 400, "Bad Request: MESSAGE_TOO_LONG");
            return;
        }

        _callbackAnswers[queryId] = text;
        await WriteResultAsync(context, JsonValue.Create(true));
    }

    private async Task SetWebhookAsync(HttpContext context, IReadOnlyDictionary<string, JsonNode?> parameters)
    {
        var url = ScalarText(parameters.GetValueOrDefault("url"));
        if (string.IsNullOrEmpty(url))
        {
            _webhook = null;
            await WriteAsync(context, 200, new JsonObject { ["ok"] = true, ["result"] = true, ["description"] = "Webhook was deleted" });
            return;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            await WriteErrorAsync(context, 400, "Bad Request: bad webhook: Failed to resolve host: Name or service not known");
            return;
        }

        var secret = ScalarText(parameters.GetValueOrDefault("secret_token"));
        if (secret is not null && (secret.Length is < 1 or > 256 || !secret.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')))
        {
            await WriteErrorAsync(context, 400, "Bad Request: secret token contains unallowed characters");
            return;
        }

        _webhook = new WebhookTarget(uri, secret);
        await WriteAsync(context, 200, new JsonObject { ["ok"] = true, ["result"] = true, ["description"] = "Webhook was set" });
    }

    private async Task GetUpdatesAsync(HttpContext context, IReadOnlyDictionary<string, JsonNode?> parameters)
    {
        if (_webhook is not null)
        {
            await WriteErrorAsync(context, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
            return;
        }

        long.TryParse(ScalarText(parameters.GetValueOrDefault("offset")), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var offset);
        int.TryParse(ScalarText(parameters.GetValueOrDefault("timeout")), NumberStyles.None, CultureInfo.InvariantCulture, out var timeout);
        JsonArray Pending()
        {
            lock (_gate)
            {
                // Calling with an offset confirms every update before it: they are never returned again.
                if (offset > 0)
                {
                    _updates.RemoveAll(u => (long)u["update_id"]! < offset);
                }

                return new JsonArray(_updates.Select(u => (JsonNode)u.DeepClone()).ToArray());
            }
        }

        var updates = Pending();
        if (updates.Count == 0 && timeout > 0)
        {
            // Long polling: hold the request (on real time) until an update arrives or the timeout passes.
            await _updateArrived.WaitAsync(TimeSpan.FromSeconds(timeout), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            updates = Pending();
        }

        await WriteResultAsync(context, updates);
    }

    /// <summary>Reads <c>reply_markup</c> (a JSON object, or its text in a form): only inline keyboards of callback buttons.</summary>
    /// <exception cref="FormatException">Not a valid inline keyboard (the message is the server's).</exception>
    private static IReadOnlyList<IReadOnlyList<TelegramFakeButton>>? ReadKeyboard(JsonNode? markup)
    {
        if (markup is JsonValue text && text.TryGetValue<string>(out var json))
        {
            try
            {
                markup = JsonNode.Parse(json);
            }
            catch (JsonException)
            {
                throw new FormatException("can't parse reply keyboard markup JSON object");
            }
        }

        if (markup is null)
        {
            return null;
        }

        if (markup is not JsonObject obj || obj["inline_keyboard"] is not JsonArray rows)
        {
            throw new FormatException("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
        }

        var keyboard = new List<IReadOnlyList<TelegramFakeButton>>();
        foreach (var row in rows)
        {
            if (row is not JsonArray buttons)
            {
                throw new FormatException("can't parse inline keyboard button: Field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array of Arrays");
            }

            var parsed = new List<TelegramFakeButton>();
            foreach (var button in buttons)
            {
                var label = button?["text"]?.GetValue<string>();
                var data = button?["callback_data"]?.GetValue<string>();
                if (string.IsNullOrEmpty(label))
                {
                    throw new FormatException("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
                }

                if (data is null || data.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(data) > 64)
                {
                    throw new FormatException("BUTTON_DATA_INVALID");
                }

                parsed.Add(new TelegramFakeButton(label, data));
            }

            keyboard.Add(parsed);
        }

        return keyboard;
    }

    private static bool KeyboardsEqual(IReadOnlyList<IReadOnlyList<TelegramFakeButton>>? a, IReadOnlyList<IReadOnlyList<TelegramFakeButton>>? b) =>
        a is null || b is null ? a is null && b is null : a.Count == b.Count && a.Zip(b).All(rows => rows.First.SequenceEqual(rows.Second));

    private JsonObject MessageJson(TelegramFakeMessage message, JsonObject? bot = null)
    {
        var first = _bots.Values.FirstOrDefault();
        bot ??= first;
        var json = new JsonObject
        {
            ["message_id"] = message.MessageId,
            ["chat"] = message.ChatId > 0
                ? new JsonObject { ["id"] = message.ChatId, ["type"] = "private", ["first_name"] = "Operator" }
                : new JsonObject { ["id"] = message.ChatId, ["type"] = "supergroup", ["title"] = "Operations" },
            ["date"] = message.Date.ToUnixTimeSeconds(),
            ["text"] = message.Text,
        };
        if (bot is not null)
        {
            json["from"] = new JsonObject { ["id"] = bot["id"]!.DeepClone(), ["is_bot"] = true, ["first_name"] = bot["first_name"]!.DeepClone(), ["username"] = bot["username"]!.DeepClone() };
        }

        if (message.Keyboard is { } keyboard)
        {
            json["reply_markup"] = KeyboardJson(keyboard);
        }

        return json;
    }

    private static JsonObject KeyboardJson(IReadOnlyList<IReadOnlyList<TelegramFakeButton>> keyboard) => new()
    {
        ["inline_keyboard"] = new JsonArray(keyboard
            .Select(row => (JsonNode)new JsonArray(row.Select(b => (JsonNode)new JsonObject { ["text"] = b.Text, ["callback_data"] = b.CallbackData }).ToArray()))
            .ToArray()),
    };

    /// <summary>
    /// The message body of sendMessage and editMessageText as the server reads it: text, parse_mode (rendered to plain
    /// text) and reply_markup; writes the server's 400 and returns null when it refuses one of them.
    /// </summary>
    private static async Task<MessageBody?> ReadBodyAsync(HttpContext context, IReadOnlyDictionary<string, JsonNode?> parameters)
    {
        var rawText = ScalarText(parameters.GetValueOrDefault("text"));
        if (string.IsNullOrEmpty(rawText))
        {
            await WriteErrorAsync(context, 400, "Bad Request: message text is empty");
            return null;
        }

        var parseMode = ScalarText(parameters.GetValueOrDefault("parse_mode"));
        try
        {
            return new MessageBody(rawText, parseMode, TelegramMarkupParser.ToPlainText(rawText, parseMode), ReadKeyboard(parameters.GetValueOrDefault("reply_markup")));
        }
        catch (FormatException bad)
        {
            await WriteErrorAsync(context, 400, $"Bad Request: {bad.Message}");
        }
        catch (ArgumentException)
        {
            await WriteErrorAsync(context, 400, "Bad Request: unsupported parse_mode");
        }
        catch (TelegramMarkupException markup)
        {
            await WriteErrorAsync(context, 400, $"Bad Request: can't parse entities: {markup.Message}");
        }

        return null;
    }

    private sealed record MessageBody(string RawText, string? ParseMode, string Text, IReadOnlyList<IReadOnlyList<TelegramFakeButton>>? Keyboard);

    private async Task SendMessageAsync(HttpContext context, JsonObject bot, IReadOnlyDictionary<string, JsonNode?> parameters)
    {
        var chatParameter = ScalarText(parameters.GetValueOrDefault("chat_id"));
        if (string.IsNullOrEmpty(chatParameter))
        {
            await WriteErrorAsync(context, 400, "Bad Request: chat_id is empty");
            return;
        }

        if (await ReadBodyAsync(context, parameters) is not { } body)
        {
            return;
        }

        var (rawText, parseMode, text, keyboard) = body;

        if (text.Trim().Length == 0)
        {
            await WriteErrorAsync(context, 400, "Bad Request: message text is empty");
            return;
        }

        if (text.Length > MaxTextLength)
        {
            await WriteErrorAsync(context, 400, "Bad Request: message is too long");
            return;
        }

        JsonObject chat;
        long chatId;
        if (long.TryParse(chatParameter, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out chatId))
        {
            chat = chatId > 0
                ? new JsonObject { ["id"] = chatId, ["type"] = "private", ["first_name"] = "Operator" }
                : new JsonObject { ["id"] = chatId, ["type"] = "supergroup", ["title"] = "Operations" };
        }
        else if (chatParameter.StartsWith('@'))
        {
            chatId = _usernameChats.GetOrAdd(chatParameter, _ => -1_000_000_000_000 - _usernameChats.Count);
            chat = new JsonObject { ["id"] = chatId, ["type"] = "channel", ["title"] = chatParameter[1..], ["username"] = chatParameter[1..] };
        }
        else
        {
            await WriteErrorAsync(context, 400, "Bad Request: chat not found");
            return;
        }

        if (_blockedChats.ContainsKey(chatId))
        {
            await WriteErrorAsync(context, 403, "Forbidden: bot was blocked by the user");
            return;
        }

        var now = TimeProvider.GetUtcNow();
        TelegramFakeMessage message;
        lock (_gate)
        {
            var list = _messages.GetOrAdd(chatId, _ => []);
            message = new TelegramFakeMessage(list.Count + 1, chatId, rawText, parseMode, text, now, keyboard);
            list.Add(message);
        }

        var result = new JsonObject
        {
            ["message_id"] = message.MessageId,
            ["from"] = new JsonObject { ["id"] = bot["id"]!.DeepClone(), ["is_bot"] = true, ["first_name"] = bot["first_name"]!.DeepClone(), ["username"] = bot["username"]!.DeepClone() },
            ["chat"] = chat,
            ["date"] = now.ToUnixTimeSeconds(),
            ["text"] = text,
        };
        if (keyboard is not null)
        {
            result["reply_markup"] = KeyboardJson(keyboard);
        }

        await WriteResultAsync(context, result);
    }

    /// <summary>The Bot API takes parameters from the query string, a form or a JSON object, whichever is sent.</summary>
    private static async Task<IReadOnlyDictionary<string, JsonNode?>> ReadParametersAsync(HttpRequest request)
    {
        var parameters = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (key, value) in request.Query)
        {
            parameters[key] = JsonValue.Create(value.ToString());
        }

        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
            foreach (var (key, value) in form)
            {
                parameters[key] = JsonValue.Create(value.ToString());
            }
        }
        else if (request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
        {
            var body = await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            if (body is JsonObject json)
            {
                foreach (var (key, value) in json)
                {
                    parameters[key] = value?.DeepClone();
                }
            }
            else if (body is not null)
            {
                throw new JsonException("The body is not a JSON object.");
            }
        }

        return parameters;
    }

    private static string? ScalarText(JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        JsonValue value => value.ToJsonString(),
        _ => null,
    };

    private static Task WriteResultAsync(HttpContext context, JsonNode result) =>
        WriteAsync(context, 200, new JsonObject { ["ok"] = true, ["result"] = result });

    private static Task WriteErrorAsync(HttpContext context, int errorCode, string description, int? retryAfter = null)
    {
        // Field order as the real server writes it: ok, error_code, description, parameters.
        var envelope = new JsonObject { ["ok"] = false, ["error_code"] = errorCode, ["description"] = description };
        if (retryAfter is { } seconds)
        {
            envelope["parameters"] = new JsonObject { ["retry_after"] = seconds };
        }

        return WriteAsync(context, errorCode, envelope);
    }

    private static async Task WriteAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(PlainJson), context.RequestAborted);
    }

    [GeneratedRegex(@"^(?<id>[0-9]{1,20}):[A-Za-z0-9_-]{20,}$")]
    private static partial Regex TokenShape();

    [GeneratedRegex(@"^/bot(?<token>[0-9]{1,20}:[A-Za-z0-9_-]{20,})/(?<method>[A-Za-z]+)$")]
    private static partial Regex MethodPath();
}
