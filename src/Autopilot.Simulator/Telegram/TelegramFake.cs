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
        if (method is not ("getme" or "sendmessage"))
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

        await SendMessageAsync(context, bot, parameters);
    }

    private async Task SendMessageAsync(HttpContext context, JsonObject bot, IReadOnlyDictionary<string, JsonNode?> parameters)
    {
        var chatParameter = ScalarText(parameters.GetValueOrDefault("chat_id"));
        if (string.IsNullOrEmpty(chatParameter))
        {
            await WriteErrorAsync(context, 400, "Bad Request: chat_id is empty");
            return;
        }

        var rawText = ScalarText(parameters.GetValueOrDefault("text"));
        if (string.IsNullOrEmpty(rawText))
        {
            await WriteErrorAsync(context, 400, "Bad Request: message text is empty");
            return;
        }

        var parseMode = ScalarText(parameters.GetValueOrDefault("parse_mode"));
        string text;
        try
        {
            text = TelegramMarkupParser.ToPlainText(rawText, parseMode);
        }
        catch (ArgumentException)
        {
            await WriteErrorAsync(context, 400, "Bad Request: unsupported parse_mode");
            return;
        }
        catch (TelegramMarkupException markup)
        {
            await WriteErrorAsync(context, 400, $"Bad Request: can't parse entities: {markup.Message}");
            return;
        }

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
            message = new TelegramFakeMessage(list.Count + 1, chatId, rawText, parseMode, text, now);
            list.Add(message);
        }

        await WriteResultAsync(context, new JsonObject
        {
            ["message_id"] = message.MessageId,
            ["from"] = new JsonObject { ["id"] = bot["id"]!.DeepClone(), ["is_bot"] = true, ["first_name"] = bot["first_name"]!.DeepClone(), ["username"] = bot["username"]!.DeepClone() },
            ["chat"] = chat,
            ["date"] = now.ToUnixTimeSeconds(),
            ["text"] = text,
        });
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
