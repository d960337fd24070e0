using System.Net;
using System.Text;
using System.Text.Json;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Intake;
using Autopilot.Daemon.Tests.Fixtures;

namespace Autopilot.Daemon.Tests.Http;

/// <summary>Issue 14 (3): Telegram's webhook (secret token, durable intake) and the approvals of the admin API.</summary>
public sealed class ApprovalApiTests : IAsyncLifetime
{
    private const string TelegramSecret = "telegram-webhook-secret_0123";
    private TestDaemon _daemon = null!;

    public async Task InitializeAsync() => _daemon = await TestDaemon.StartAsync(extraHocon: $$"""
        autopilot.platforms.telegram { webhook-secret = "{{TelegramSecret}}", approvers = [4242] }
        """);

    public async Task DisposeAsync() => await _daemon.DisposeAsync();

    private static HttpRequestMessage Telegram(string body, string? secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/telegram") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (secret is not null)
        {
            request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", secret);
        }

        return request;
    }

    private const string Press = """
        {"update_id":100001,"callback_query":{"id":"42100001","from":{"id":4242,"is_bot":false,"first_name":"Alice","username":"alice"},
         "chat_instance":"1","data":"approve:apr-0123456789ab","message":{"message_id":7,"date":1,"chat":{"id":-1001,"type":"supergroup"},"text":"x"}}}
        """;

    [Fact]
    public async Task A_press_with_the_secret_token_is_stored_by_the_intake_with_its_update_id_and_handed_to_the_orchestrator()
    {
        var response = await _daemon.Client.SendAsync(Telegram(Press, TelegramSecret));
        var again = await _daemon.Client.SendAsync(Telegram(Press, TelegramSecret));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var stored = Assert.IsType<DeliveryStored>(Assert.Single(await _daemon.EventsAsync(WebhookIntake.StreamId)));
        Assert.Equal(("telegram", "callback_query", "100001"), (stored.Source, stored.EventType, stored.DeliveryId));
        await Poll.UntilAsync(() => _daemon.Received.OfType<ExternalEvent>().Any(), "the hand-over of the press");
        var handed = Assert.Single(_daemon.Received.OfType<ExternalEvent>());
        Assert.Equal("approve:apr-0123456789ab", handed.Text("callback_query", "data"));
    }

    [Theory]
    [InlineData(null, "webhook-token-missing")]
    [InlineData("not-the-secret", "webhook-token-invalid")]
    public async Task A_missing_or_wrong_secret_token_is_refused_with_401_and_a_security_event(string? secret, string kind)
    {
        var response = await _daemon.Client.SendAsync(Telegram(Press, secret));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var recorded = Assert.IsType<SecurityEventRecorded>(Assert.Single(await _daemon.EventsAsync(WebhookIntake.StreamId)));
        Assert.Equal(kind, recorded.Kind);
        Assert.DoesNotContain(TelegramSecret, recorded.Detail);
        Assert.Empty(_daemon.Received.OfType<ExternalEvent>());
    }

    [Fact]
    public async Task Approvals_are_listed_for_viewers_and_decided_by_operators_once()
    {
        var list = await _daemon.SendAsync(HttpMethod.Get, "/api/approvals", TestDaemon.ViewerToken);
        var asViewer = await _daemon.SendAsync(HttpMethod.Post, $"/api/approvals/{FakeOrchestrator.PendingApprovalId}/approve", TestDaemon.ViewerToken);
        var approved = await _daemon.SendAsync(HttpMethod.Post, $"/api/approvals/{FakeOrchestrator.PendingApprovalId}/approve", TestDaemon.OperatorToken);
        var again = await _daemon.SendAsync(HttpMethod.Post, $"/api/approvals/{FakeOrchestrator.PendingApprovalId}/reject", TestDaemon.OperatorToken);

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var approval = JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.GetProperty("approvals").EnumerateArray().Single();
        Assert.Equal(FakeOrchestrator.PendingApprovalId, approval.GetProperty("id").GetString());
        Assert.Equal("rollback", approval.GetProperty("action").GetString());
        Assert.Equal(
            approval.GetProperty("requestedAt").GetDateTimeOffset() + TimeSpan.FromMinutes(15),
            approval.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal(HttpStatusCode.Forbidden, asViewer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already approved by operator (cli)", await again.Content.ReadAsStringAsync());
        Assert.Contains(new DecideApproval(FakeOrchestrator.PendingApprovalId, true, "operator", ApprovalChannels.Cli), _daemon.Received);
    }
}
