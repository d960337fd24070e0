using Autopilot.Platforms.Tests.Support;
using System.Text.Json.Nodes;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.N8n;
using Autopilot.Platforms.Redaction;
using Autopilot.Platforms.Secrets;
using Autopilot.Platforms.Secrets.Gcp;
using Autopilot.Platforms.Telegram;
using Autopilot.Platforms.Tests.Http;
using Autopilot.Simulator.Gcp;
using Autopilot.Simulator.Hosting;
using Autopilot.Simulator.N8n;
using Autopilot.Simulator.Telegram;
using Xunit;

namespace Autopilot.Platforms.Tests.Secrets;

/// <summary>
/// Runs the n8n, Telegram and Secret Manager clients with known secrets — including servers that echo those
/// secrets back in bodies and error messages — and checks that none of them reaches a log line, an exception
/// message or a recorded snippet.
/// </summary>
public sealed class SecretLeakTests
{
    private const string N8nKey = "n8n_api_leakcheck_4b1f9c2e7d";
    private const string BotToken = "5550001111:AAHleakcheckTokenSecretPart_zz9";
    private const string StoredSecret = "gcp-stored-secret-value-81fa";

    [Fact]
    public async Task No_secret_reaches_logs_exceptions_or_snippets()
    {
        var clock = new ObservableFakeTimeProvider();
        var logger = new CapturingLogger();
        var redactor = new Redactor();
        var observed = new List<string>();
        using var http = new HttpClient();
        var once = PlatformCallOptions.Default with { MaxAttempts = 1 };

        await using var secretManager = new SecretManagerFake(clock);
        await secretManager.StartAsync();
        secretManager.AddSecretVersion("leak-proj", "n8n-api-key", N8nKey);
        secretManager.AddSecretVersion("leak-proj", "telegram-token", BotToken);
        secretManager.AddSecretVersion("leak-proj", "stored", StoredSecret);
        secretManager.DenyAccess("leak-proj", "denied");
        var keyJson = secretManager.CreateServiceAccountKey("leak@leak-proj.iam.gserviceaccount.com", "leak-proj");
        var serviceAccount = ServiceAccountKey.Parse(keyJson);
        var resilience = new PlatformResilience(GcpPlatform.Name, once, clock, redactor, logger);
        using var tokens = new ServiceAccountTokenSource(http, serviceAccount, resilience, redactor, clock);
        var store = new SecretStore(
            [new GcpSecretManagerProvider(http, tokens, new GcpSecretManagerOptions("leak-proj", BaseAddress: secretManager.BaseAddress), resilience, redactor, clock, logger)],
            redactor,
            timeProvider: clock);

        var apiKey = await store.GetAsync("n8n-api-key");
        var botToken = await store.GetAsync("telegram-token");
        await store.GetAsync("stored");
        observed.Add((await Assert.ThrowsAsync<PlatformAuthenticationException>(() => store.GetAsync("denied"))).Message);
        observed.Add((await Assert.ThrowsAsync<SecretNotFoundException>(() => store.GetAsync("absent"))).Message);

        await using var n8n = new N8nFake(clock, apiKey);
        await n8n.StartAsync();
        var n8nClient = new N8nClient(http, new N8nClientOptions(n8n.BaseAddress, apiKey, once), redactor, clock, logger);
        n8n.ScriptWebhook("echo", new N8nWebhookBehavior.Respond(200, new JsonObject { ["received"] = $"X-N8N-API-KEY: {apiKey}", ["bot"] = botToken }.ToJsonString()));
        n8n.ScriptWebhook("fail", new N8nWebhookBehavior.Respond(500, new JsonObject { ["message"] = $"auth {apiKey} rejected by {botToken}" }.ToJsonString()));
        n8n.FailNextApiCall(503, $"upstream said password={StoredSecret}");
        observed.Add((await n8nClient.TriggerWebhookAsync("echo")).Call.BodySnippet);
        observed.Add((await Assert.ThrowsAsync<PlatformUnavailableException>(() => n8nClient.TriggerWebhookAsync("fail"))).Message);
        observed.Add((await Assert.ThrowsAsync<PlatformUnavailableException>(() => n8nClient.ListWorkflowsAsync())).Message);
        observed.Add((await n8nClient.ListWorkflowsAsync()).Call.BodySnippet);

        await using var telegram = new TelegramFake(clock);
        telegram.AddBot(botToken);
        await telegram.StartAsync();
        var telegramClient = new TelegramBotClient(http, new TelegramBotOptions(botToken, telegram.BaseAddress, once), redactor, clock, logger);
        observed.AddRange((await telegramClient.SendMessageAsync(TelegramChatId.FromId(1), $"rotated token {botToken} and key {apiKey}")).Select(r => r.Call.BodySnippet));
        observed.Add((await Assert.ThrowsAsync<TelegramApiException>(() => telegramClient.SendMessageAsync(TelegramChatId.FromId(1), $"{StoredSecret}.", TelegramParseMode.MarkdownV2))).Message);
        telegram.RevokeBot(botToken);
        observed.Add((await Assert.ThrowsAsync<TelegramApiException>(() => telegramClient.GetMeAsync())).Message);

        var accessTokens = secretManager.Exchanges.Where(e => e.Path == "/token").Select(e => (string)JsonNode.Parse(e.ResponseBody)!["access_token"]!).ToArray();
        var secrets = new[] { N8nKey, BotToken, BotToken.Split(':')[1], StoredSecret, serviceAccount.PrivateKeyPem, serviceAccount.PrivateKeyPem.Split('\n')[1] }.Concat(accessTokens).ToArray();
        var everything = observed.Concat(logger.Lines).ToArray();
        Assert.NotEmpty(accessTokens);
        Assert.Contains(logger.Lines, l => l.Contains("n8n", StringComparison.Ordinal));
        Assert.Contains(everything, t => t.Contains(Redactor.Mask, StringComparison.Ordinal));
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(everything, text => text.Contains(secret, StringComparison.Ordinal));
        }
    }
}
