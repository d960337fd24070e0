using Autopilot.Platforms.Tests.Support;
using System.Net;
using System.Text.Json.Nodes;
using Autopilot.Simulator.Hosting;
using Autopilot.Simulator.Telegram;
using Xunit;

namespace Autopilot.Platforms.Tests.Telegram;

/// <summary>The fake answers malformed requests the way the Bot API does, whichever client sends them.</summary>
public sealed class TelegramFakeProtocolTests : IAsyncLifetime
{
    private readonly TelegramFake _fake = new(new ObservableFakeTimeProvider());
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        _fake.AddBot(TelegramBotClientTests.Token);
        await _fake.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _fake.DisposeAsync();
    }

    [Theory]
    [InlineData("text=hello", "Bad Request: chat_id is empty")]
    [InlineData("chat_id=5", "Bad Request: message text is empty")]
    [InlineData("chat_id=5&text=hi&parse_mode=Fancy", "Bad Request: unsupported parse_mode")]
    [InlineData("chat_id=5&text=<blink>hi</blink>&parse_mode=HTML", "Bad Request: can't parse entities: Unsupported start tag \"blink\" at byte offset 0")]
    public async Task Bad_form_requests_get_a_400_envelope(string form, string description)
    {
        var content = new FormUrlEncodedContent(form.Split('&').Select(p => p.Split('=', 2)).Select(p => KeyValuePair.Create(p[0], p[1])));

        var response = await _http.PostAsync(new Uri(_fake.BaseAddress, $"./bot{TelegramBotClientTests.Token}/sendMessage"), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal((false, 400, description), ((bool)body["ok"]!, (int)body["error_code"]!, (string)body["description"]!));
    }

    [Fact]
    public async Task Too_long_messages_and_unknown_methods_are_refused()
    {
        var tooLong = await _http.GetAsync(new Uri(_fake.BaseAddress, $"./bot{TelegramBotClientTests.Token}/sendMessage?chat_id=1&text={new string('a', 4097)}"));
        var unknown = await _http.PostAsync(new Uri(_fake.BaseAddress, $"./bot{TelegramBotClientTests.Token}/sendTelepathy"), null);

        Assert.Equal("Bad Request: message is too long", (string)JsonNode.Parse(await tooLong.Content.ReadAsStringAsync())!["description"]!);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("""{"ok":false,"error_code":404,"description":"Not Found"}""", await unknown.Content.ReadAsStringAsync());
    }
}
