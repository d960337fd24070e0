using Autopilot.Platforms.Tests.Support;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;
using Autopilot.Platforms.Telegram;
using Autopilot.Platforms.Tests.Http;
using Autopilot.Platforms.Tests.OpenApi;
using Autopilot.Simulator.Hosting;
using Autopilot.Simulator.Telegram;
using Xunit;

namespace Autopilot.Platforms.Tests.Telegram;

/// <summary>
/// Requests the client sends are Bot API operations with their required parameters; every answer of the fake,
/// success or error, matches the spec's response schema (errors: the <c>Error</c> schema) and the envelope
/// derived from the Bot API server's source (HTTP status equal to <c>error_code</c>, field order).
/// </summary>
public sealed partial class TelegramSpecTests
{
    private static readonly OpenApiDocument Spec = OpenApiDocument.LoadJson(SpecPath("telegram-botapi-8.1-subset.openapi.json"));

    [Fact]
    public async Task Client_requests_and_fake_responses_follow_the_published_spec()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var fake = new TelegramFake(clock);
        fake.AddBot(TelegramBotClientTests.Token);
        await fake.StartAsync();
        using var http = new HttpClient();
        TelegramBotClient Client(string token) => new(http, new TelegramBotOptions(token, fake.BaseAddress, PlatformCallOptions.Default with { MaxAttempts = 1 }), new Redactor(), clock, new CapturingLogger());
        var client = Client(TelegramBotClientTests.Token);

        await client.GetMeAsync();
        await client.SendMessageAsync(TelegramChatId.FromId(1), "plain");
        await client.SendMessageAsync(TelegramChatId.FromId(-100200), "<b>bold</b>", TelegramParseMode.Html);
        await client.SendMessageAsync(TelegramChatId.FromUsername("@ops"), TelegramMarkdownV2.Escape("v1.2!"), TelegramParseMode.MarkdownV2);
        await client.SendMessageAsync(TelegramChatId.FromId(1), new string('x', 5000));
        await Assert.ThrowsAsync<TelegramApiException>(() => client.SendMessageAsync(TelegramChatId.FromId(1), "v1.2", TelegramParseMode.MarkdownV2));
        fake.RateLimitNext(5);
        await Assert.ThrowsAsync<TelegramApiException>(() => client.GetMeAsync());
        fake.BlockChat(3);
        await Assert.ThrowsAsync<TelegramApiException>(() => client.SendMessageAsync(TelegramChatId.FromId(3), "x"));
        await Assert.ThrowsAsync<TelegramApiException>(() => Client("999:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").GetMeAsync());

        var problems = new List<string>();
        foreach (var exchange in fake.Exchanges)
        {
            var path = BotPrefix().Replace(exchange.Path, "");
            problems.AddRange(Spec.CheckRequest(exchange.Method, path, exchange.Query, exchange.RequestBody));
            problems.AddRange(Spec.CheckResponse(exchange.Method, path, exchange.StatusCode, exchange.ResponseBody));
            var envelope = JsonNode.Parse(exchange.ResponseBody)!.AsObject();
            if (exchange.StatusCode != 200)
            {
                Assert.Equal(["ok", "error_code", "description", .. envelope.ContainsKey("parameters") ? new[] { "parameters" } : []], envelope.Select(p => p.Key));
                Assert.Equal(exchange.StatusCode, (int)envelope["error_code"]!);
            }
        }

        Assert.Empty(problems);
        Assert.Equal([200, 400, 401, 403, 429], fake.Exchanges.Select(e => e.StatusCode).Distinct().Order());
    }

    [Fact]
    public void The_checker_notices_violations()
    {
        Assert.NotEmpty(Spec.CheckRequest("POST", "/sendMessage", "", """{"text":"no chat"}"""));
        Assert.NotEmpty(Spec.CheckResponse("POST", "/sendMessage", 200, """{"ok":true,"result":{"message_id":1}}"""));
        Assert.NotEmpty(Spec.CheckResponse("POST", "/getMe", 429, """{"ok":false,"description":"x"}"""));
    }

    private static string SpecPath(string file, [CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Spec", file);

    [GeneratedRegex("^/bot[^/]*")]
    private static partial Regex BotPrefix();
}
