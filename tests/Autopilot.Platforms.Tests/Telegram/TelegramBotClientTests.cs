using Autopilot.Platforms.Tests.Support;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;
using Autopilot.Platforms.Telegram;
using Autopilot.Platforms.Tests.Http;
using Autopilot.Simulator.Hosting;
using Autopilot.Simulator.Telegram;
using Xunit;

namespace Autopilot.Platforms.Tests.Telegram;

public sealed class TelegramBotClientTests : IAsyncLifetime
{
    public const string Token = "4839574812:AAFD39kkdpWt3ywyRZergyOLMaJhac60qc";
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(97);

    private readonly ObservableFakeTimeProvider _clock = new();
    private readonly CapturingLogger _logger = new();
    private readonly Redactor _redactor = new();
    private readonly TelegramFake _fake;
    private HttpClient _http = null!;

    public TelegramBotClientTests() => _fake = new TelegramFake(_clock);

    public async Task InitializeAsync()
    {
        _fake.AddBot(Token, "Autopilot", "autopilot_bot");
        await _fake.StartAsync();
        _http = new HttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _fake.DisposeAsync();
    }

    private TelegramBotClient Client(string token = Token) => new(
        _http,
        new TelegramBotOptions(token, _fake.BaseAddress, new PlatformCallOptions(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), AttemptTimeout, TimeSpan.FromMinutes(2))),
        _redactor,
        _clock,
        _logger);

    [Fact]
    public async Task GetMe_returns_the_bot_and_how_the_call_went()
    {
        var me = await Client().GetMeAsync();

        Assert.Equal(new TelegramUser(4839574812, true, "Autopilot", "autopilot_bot"), me.Value);
        Assert.Equal(("telegram", "getMe", 200), (me.Call.Platform, me.Call.Operation, me.Call.StatusCode));
        Assert.Contains("autopilot_bot", me.Call.BodySnippet);
        var exchange = Assert.Single(_fake.Exchanges);
        Assert.Equal(("POST", $"/bot{Token}/getMe"), (exchange.Method, exchange.Path));
    }

    [Fact]
    public async Task Messages_arrive_in_the_chat_with_their_parse_mode()
    {
        var sent = await Client().SendMessageAsync(TelegramChatId.FromId(42), "*" + TelegramMarkdownV2.Escape("api-1.prod is down!") + "*", TelegramParseMode.MarkdownV2);

        var message = Assert.Single(_fake.MessagesIn(42));
        Assert.Equal("api-1.prod is down!", message.Text);
        Assert.Equal("MarkdownV2", message.ParseMode);
        var response = Assert.Single(sent);
        Assert.Equal((message.MessageId, 42L, "private", "api-1.prod is down!"), (response.Value.MessageId, response.Value.Chat.Id, response.Value.Chat.Type, response.Value.Text));
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeSeconds(), response.Value.Date.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Html_messages_and_channel_usernames_are_supported()
    {
        await Client().SendMessageAsync(TelegramChatId.Parse("@ops_alerts"), $"<b>{TelegramHtml.Escape("p99 > 2s & rising")}</b>", TelegramParseMode.Html);

        Assert.Equal("p99 > 2s & rising", Assert.Single(_fake.MessagesIn("@ops_alerts")).Text);
    }

    [Fact]
    public async Task Long_messages_are_delivered_as_several_in_order()
    {
        var lines = Enumerable.Range(1, 300).Select(i => TelegramMarkdownV2.Escape($"step {i}: ok (took {i}.5s)")).ToArray();

        var sent = await Client().SendMessageAsync(TelegramChatId.FromId(7), string.Join('\n', lines), TelegramParseMode.MarkdownV2);

        var received = _fake.MessagesIn(7);
        Assert.Equal(sent.Count, received.Count);
        Assert.True(received.Count > 1);
        var expected = string.Join('\n', Enumerable.Range(1, 300).Select(i => $"step {i}: ok (took {i}.5s)"));
        Assert.Equal(expected, string.Join('\n', received.Select(m => m.Text)));
    }

    [Theory]
    [InlineData("HTML", "<b>", "</b>")]
    [InlineData("HTML", "<pre>", "</pre>")]
    [InlineData("MarkdownV2", "*", "*")]
    [InlineData("MarkdownV2", "```\n", "```")]
    public async Task A_long_formatted_message_arrives_as_parts_the_server_accepts(string parseMode, string open, string close)
    {
        var mode = parseMode == "HTML" ? TelegramParseMode.Html : TelegramParseMode.MarkdownV2;
        var lines = Enumerable.Range(1, 350).Select(i => $"check {i}: ok (took {i}.5s)").ToArray();
        var escaped = lines.Select(l => mode == TelegramParseMode.Html ? TelegramHtml.Escape(l) : open.StartsWith('`') ? l : TelegramMarkdownV2.Escape(l));
        var text = open + string.Join('\n', escaped) + close;
        Assert.True(text.Length > 5000);

        var sent = await Client().SendMessageAsync(TelegramChatId.FromId(8), text, mode);

        var received = _fake.MessagesIn(8);
        Assert.True(received.Count > 1);
        Assert.Equal(sent.Count, received.Count);
        Assert.Equal(string.Join('\n', lines), string.Join('\n', received.Select(m => m.Text)));
    }

    [Fact]
    public async Task An_unclosed_tag_is_refused_like_the_bot_api_does()
    {
        var error = await Assert.ThrowsAsync<TelegramApiException>(() => Client().SendMessageAsync(TelegramChatId.FromId(1), "<b>down", TelegramParseMode.Html));

        Assert.Equal(400, error.ErrorCode);
        Assert.Contains("Can't find end tag", error.Description);
    }

    [Fact]
    public async Task Unescaped_markdown_is_a_bad_request_that_is_not_retried()
    {
        var error = await Assert.ThrowsAsync<TelegramApiException>(() => Client().SendMessageAsync(TelegramChatId.FromId(1), "v1.2 failed", TelegramParseMode.MarkdownV2));

        Assert.Equal(400, error.ErrorCode);
        Assert.False(error.IsTransient);
        Assert.StartsWith("Bad Request: can't parse entities: Character '.' is reserved", error.Description);
        Assert.Single(_fake.Exchanges);
    }

    [Fact]
    public async Task Flood_control_waits_exactly_the_retry_after_the_server_asked_for()
    {
        _fake.RateLimitNext(retryAfterSeconds: 7);
        var send = Client().SendMessageAsync(TelegramChatId.FromId(5), "hello");

        var delay = await _clock.WhenDelayRequested(d => d != AttemptTimeout).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromSeconds(7), delay);
        Assert.Empty(_fake.MessagesIn(5));
        _clock.Advance(delay);

        await send.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("hello", Assert.Single(_fake.MessagesIn(5)).Text);
        Assert.Equal([429, 200], _fake.Exchanges.Select(e => e.StatusCode));
    }

    [Fact]
    public async Task Persistent_flood_control_surfaces_as_a_transient_error_with_its_retry_after()
    {
        _fake.RateLimitNext(retryAfterSeconds: 3, times: 3);
        var send = Client().SendMessageAsync(TelegramChatId.FromId(5), "hello");
        for (var retry = 0; retry < 2; retry++)
        {
            _clock.Advance(await _clock.WhenDelayRequested(d => d == TimeSpan.FromSeconds(3)).WaitAsync(TimeSpan.FromSeconds(30)));
            await WaitForExchangesAsync(retry + 2);
        }

        var error = await Assert.ThrowsAsync<TelegramApiException>(() => send.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal((429, true, TimeSpan.FromSeconds(3)), (error.ErrorCode, error.IsTransient, error.RetryAfter));
    }

    [Fact]
    public async Task Server_errors_are_retried()
    {
        _fake.FailNext(500, "Internal Server Error");
        var me = Client().GetMeAsync();

        _clock.Advance(await _clock.WhenDelayRequested(d => d != AttemptTimeout).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal("autopilot_bot", (await me.WaitAsync(TimeSpan.FromSeconds(30))).Value.Username);
    }

    [Fact]
    public async Task A_revoked_token_is_unauthorized_and_never_appears_in_the_error_or_logs()
    {
        _fake.RevokeBot(Token);

        var error = await Assert.ThrowsAsync<TelegramApiException>(() => Client().GetMeAsync());

        Assert.Equal((401, "Unauthorized", true, false), (error.ErrorCode, error.Description, error.IsBadToken, error.IsTransient));
        Assert.DoesNotContain(Token, error.Message);
        Assert.DoesNotContain(_logger.Lines, line => line.Contains(Token) || line.Contains(Token.Split(':')[1]));
    }

    [Fact]
    public async Task A_token_that_is_not_token_shaped_gets_not_found()
    {
        var error = await Assert.ThrowsAsync<TelegramApiException>(() => Client("12345:short").GetMeAsync());

        Assert.Equal((404, "Not Found"), (error.ErrorCode, error.Description));
    }

    [Fact]
    public async Task A_chat_that_blocked_the_bot_is_forbidden()
    {
        _fake.BlockChat(99);

        var error = await Assert.ThrowsAsync<TelegramApiException>(() => Client().SendMessageAsync(TelegramChatId.FromId(99), "x"));

        Assert.Equal((403, "Forbidden: bot was blocked by the user"), (error.ErrorCode, error.Description));
    }

    [Fact]
    public async Task Cancelling_during_a_flood_wait_stops_the_send()
    {
        _fake.RateLimitNext(retryAfterSeconds: 30);
        using var cancellation = new CancellationTokenSource();
        var send = Client().SendMessageAsync(TelegramChatId.FromId(5), "hello", cancellationToken: cancellation.Token);
        await _clock.WhenDelayRequested(d => d == TimeSpan.FromSeconds(30)).WaitAsync(TimeSpan.FromSeconds(30));

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(_fake.MessagesIn(5));
    }

    [Fact]
    public void A_malformed_token_is_rejected_without_being_echoed()
    {
        var error = Assert.Throws<ArgumentException>(() => Client("123:abc/def ghi"));

        Assert.DoesNotContain("abc/def", error.Message);
    }

    private async Task WaitForExchangesAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (_fake.Exchanges.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
    }
}
