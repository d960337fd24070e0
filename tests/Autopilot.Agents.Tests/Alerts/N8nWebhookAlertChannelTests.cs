using System.Text.Json;
using Akka.Actor;
using Autopilot.Agents.Alerts;
using Autopilot.Agents.Protocol;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.N8n;
using Autopilot.Platforms.Redaction;
using Autopilot.Simulator.N8n;
using Microsoft.Extensions.Logging.Abstractions;
using Autopilot.Agents.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Alerts;

/// <summary>Telegram alerts relayed through an n8n workflow's webhook, retried like any other channel.</summary>
public sealed class N8nWebhookAlertChannelTests(ITestOutputHelper output) : AgentsTestKit(output), IAsyncLifetime
{
    private const string ApiKey = "n8n-alerts-key-3c2b1a";
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private N8nFake _n8n = null!;

    public async Task InitializeAsync()
    {
        _n8n = new N8nFake(Clock, ApiKey);
        await _n8n.StartAsync();
    }

    public async Task DisposeAsync()
    {
        Shutdown();
        await _n8n.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public void A_gateway_timeout_from_the_relay_is_retried_and_the_alert_then_arrives_with_its_fields()
    {
        var client = new N8nClient(_http, new N8nClientOptions(_n8n.BaseAddress, ApiKey,
            new PlatformCallOptions(1, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(30), TimeSpan.Zero)), new Redactor(), TimeProvider.System, NullLogger.Instance);
        _n8n.ScriptWebhook("alerts/telegram", N8nWebhookBehavior.GatewayTimeout);
        var alerts = Sys.ActorOf(AlertWorker.Props(AlertSettings.Default with { PersistenceId = "alerts-n8n" }, [new N8nWebhookAlertChannel(client, "alerts/telegram")]));

        alerts.Tell(new RaiseAlert(AlertSeverity.Warning, "db slow", "p95 900 ms", "health:db:degraded", "db"));
        AwaitCondition(() => _n8n.Exchanges.Count == 1, TimeSpan.FromSeconds(10));
        _n8n.ScriptWebhook("alerts/telegram", N8nWebhookBehavior.Started);
        AdvanceUntil(() => Journal("alerts-n8n").OfType<AlertSent>().Any(), TimeSpan.FromSeconds(5), "delivery through the relay");

        Assert.Equal([504, 200], _n8n.Exchanges.Select(e => e.StatusCode));
        using var body = JsonDocument.Parse(_n8n.Exchanges[1].RequestBody);
        Assert.Equal(("WARNING", "db slow", "health:db:degraded"),
            (body.RootElement.GetProperty("severity").GetString(), body.RootElement.GetProperty("title").GetString(), body.RootElement.GetProperty("fingerprint").GetString()));
        Assert.Equal(["telegram"], Journal("alerts-n8n").OfType<AlertSent>().Single().Channels);
    }
}
