using System.Net;
using System.Text;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;
using Autopilot.Platforms.Telegram;
using Autopilot.Platforms.Tests.Http;
using Autopilot.Platforms.Tests.Support;
using Autopilot.Simulator.Telegram;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace Autopilot.Platforms.Tests.Telegram;

/// <summary>
/// What approvals need of the Bot API, client against fake: inline keyboards, button presses by webhook (with the
/// secret token) or getUpdates, answerCallbackQuery and editMessageText.
/// </summary>
public sealed class TelegramApprovalProtocolTests : IAsyncLifetime
{
    private const string Token = "4839574812:AAFD39kkdpWt3ywyRZergyOLMaJhac60qc";
    private const long Chat = -100123;
    private readonly ObservableFakeTimeProvider _clock = new();
    private readonly TelegramFake _fake;
    private HttpClient _http = null!;
    private TelegramBotClient _client = null!;

    public TelegramApprovalProtocolTests() => _fake = new TelegramFake(_clock);

    public async Task InitializeAsync()
    {
        _fake.AddBot(Token);
        await _fake.StartAsync();
        _http = new HttpClient();
        _client = new TelegramBotClient(_http, new TelegramBotOptions(Token, _fake.BaseAddress,
            new PlatformCallOptions(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1))), new Redactor(), _clock, new CapturingLogger());
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _fake.DisposeAsync();
    }

    private static TelegramInlineKeyboard Buttons(string id) =>
        new([[new TelegramInlineButton("Approve", $"approve:{id}"), new TelegramInlineButton("Reject", $"reject:{id}")]]);

    [Fact]
    public async Task A_keyboard_is_pressed_read_with_getUpdates_answered_and_the_message_edited_without_it()
    {
        var sent = await _client.SendMessageAsync(TelegramChatId.FromId(Chat), "<b>Approve?</b>", TelegramParseMode.Html, Buttons("apr-1"));
        var stored = Assert.Single(_fake.MessagesIn(Chat));
        Assert.Equal(["approve:apr-1", "reject:apr-1"], stored.Keyboard!.SelectMany(r => r).Select(b => b.CallbackData));

        var press = await _fake.PressButton(Chat, sent.Value.MessageId, "approve:apr-1", 4242, "alice");
        var updates = (await _client.GetUpdatesAsync(null, TimeSpan.Zero)).Value;
        var update = Assert.Single(updates);
        Assert.Equal(press.UpdateId, update.UpdateId);
        Assert.Equal(("approve:apr-1", 4242L, "alice"), (update.CallbackQuery!.Data, update.CallbackQuery.From.Id, update.CallbackQuery.From.Username));
        Assert.Equal(sent.Value.MessageId, update.CallbackQuery.Message!.MessageId);
        Assert.Equal("approve:apr-1", TelegramBotClient.CallbackQueryOf(update.Json)!.Data);
        // The offset confirms it: it is not returned again.
        Assert.Empty((await _client.GetUpdatesAsync(update.UpdateId + 1, TimeSpan.Zero)).Value);

        await _client.AnswerCallbackQueryAsync(press.CallbackQueryId, "Approved");
        await _client.EditMessageTextAsync(TelegramChatId.FromId(Chat), sent.Value.MessageId, "<b>Approved by alice</b>", TelegramParseMode.Html);

        Assert.Equal("Approved", _fake.CallbackAnswer(press.CallbackQueryId));
        var edited = Assert.Single(_fake.MessagesIn(Chat));
        Assert.Equal("Approved by alice", edited.Text);
        Assert.Null(edited.Keyboard);
        // A query is answered once; the real server then calls it too old.
        var twice = await Assert.ThrowsAsync<TelegramApiException>(() => _client.AnswerCallbackQueryAsync(press.CallbackQueryId, "again"));
        Assert.Equal(400, twice.ErrorCode);
    }

    [Fact]
    public async Task Callback_data_over_64_bytes_is_refused_like_the_real_server()
    {
        var error = await Assert.ThrowsAsync<TelegramApiException>(() =>
            _client.SendMessageAsync(TelegramChatId.FromId(Chat), "x", TelegramParseMode.None, Buttons(new string('x', 60))));

        Assert.Equal(400, error.ErrorCode);
        Assert.Contains("BUTTON_DATA_INVALID", error.Message);
        Assert.Empty(_fake.MessagesIn(Chat));
    }

    [Fact]
    public async Task With_a_webhook_set_a_press_is_posted_with_the_secret_token_and_getUpdates_is_refused()
    {
        string? header = null;
        string? body = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var receiver = builder.Build();
        receiver.MapPost("/webhooks/telegram", async (HttpContext http) =>
        {
            header = http.Request.Headers["X-Telegram-Bot-Api-Secret-Token"].ToString();
            body = await new StreamReader(http.Request.Body, Encoding.UTF8).ReadToEndAsync();
            return Results.Accepted();
        });
        await receiver.StartAsync();
        var url = new Uri(new Uri(receiver.Urls.Single()), "/webhooks/telegram");

        await _client.SetWebhookAsync(url, "s3cret_token-1", ["callback_query"]);
        var sent = await _client.SendMessageAsync(TelegramChatId.FromId(Chat), "Approve?", TelegramParseMode.None, Buttons("apr-2"));
        var press = await _fake.PressButton(Chat, sent.Value.MessageId, "reject:apr-2", 7, "bob");
        var polling = await Assert.ThrowsAsync<TelegramApiException>(() => _client.GetUpdatesAsync(null, TimeSpan.Zero));

        Assert.Equal(url, _fake.WebhookUrl);
        Assert.Equal((int)HttpStatusCode.Accepted, press.WebhookStatus);
        Assert.Equal("s3cret_token-1", header);
        Assert.Contains("\"data\":\"reject:apr-2\"", body);
        Assert.Equal(409, polling.ErrorCode);
    }
}
