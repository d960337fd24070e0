using System.Net;
using System.Text;
using System.Text.Json;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Intake;
using Autopilot.Daemon.Tests.Fixtures;
using Autopilot.Platforms.GitHub;

namespace Autopilot.Daemon.Tests.Http;

public sealed class WebhookTests : IAsyncLifetime
{
    private TestDaemon _daemon = null!;

    public async Task InitializeAsync() => _daemon = await TestDaemon.StartAsync();

    public async Task DisposeAsync() => await _daemon.DisposeAsync();

    private static HttpRequestMessage GitHub(string body, string? signature, string delivery = "d-1", string eventType = "push")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-GitHub-Event", eventType);
        request.Headers.Add("X-GitHub-Delivery", delivery);
        if (signature is not null)
        {
            request.Headers.Add(GitHubWebhookSignature.HeaderName, signature);
        }

        return request;
    }

    private static string Sign(string body) => GitHubWebhookSignature.Compute(TestDaemon.GitHubSecret, Encoding.UTF8.GetBytes(body));

    private Task<List<object>> JournalAsync() => JournalOf(_daemon);

    private static Task<List<object>> JournalOf(TestDaemon daemon) => daemon.EventsAsync(WebhookIntake.StreamId);

    [Fact]
    public async Task A_signed_delivery_is_journaled_with_its_payload_before_the_answer_and_handed_to_the_orchestrator()
    {
        const string body = """{"ref":"refs/heads/main","after":"abc123"}""";

        var response = await _daemon.Client.SendAsync(GitHub(body, Sign(body), "delivery-42"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var journaled = Assert.IsType<DeliveryStored>(Assert.Single(await JournalAsync()));
        Assert.Equal(("github", "push", "delivery-42"), (journaled.Source, journaled.EventType, journaled.DeliveryId));
        Assert.Equal("abc123", JsonDocument.Parse(journaled.Payload).RootElement.GetProperty("after").GetString());
        await Poll.UntilAsync(() => _daemon.Received.OfType<ExternalEvent>().Any(), "the orchestrator to get the event");
        var handed = _daemon.Received.OfType<ExternalEvent>().Single();
        Assert.Equal("delivery-42", handed.DeliveryId);
        Assert.Equal("abc123", handed.Payload.GetProperty("after").GetString());
    }

    [Fact]
    public async Task A_redelivered_delivery_id_is_answered_as_a_duplicate_and_journaled_and_handed_over_once()
    {
        const string body = """{"action":"completed"}""";

        var first = await _daemon.Client.SendAsync(GitHub(body, Sign(body), "same-id", "workflow_run"));
        var replay = await _daemon.Client.SendAsync(GitHub(body, Sign(body), "same-id", "workflow_run"));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal("duplicate", JsonDocument.Parse(await replay.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
        Assert.Single(await JournalAsync());
        // The hand-over reads the journal, where the delivery is once; a later one proves the first was passed.
        const string later = """{"action":"requested"}""";
        Assert.Equal(HttpStatusCode.Accepted, (await _daemon.Client.SendAsync(GitHub(later, Sign(later), "later-id", "workflow_run"))).StatusCode);
        await Poll.UntilAsync(() => _daemon.Received.OfType<ExternalEvent>().Any(e => e.DeliveryId == "later-id"), "the later delivery's hand-over");
        Assert.Single(_daemon.Received.OfType<ExternalEvent>(), e => e.DeliveryId == "same-id");
    }

    [Fact]
    public async Task A_redelivery_after_a_restart_is_still_recognised_from_the_journal()
    {
        var dataDir = Directory.CreateTempSubdirectory("autopilot-restart-test").FullName;
        const string sqlite = "autopilot.persistence.journal.plugin = sqlite";
        const string body = """{"action":"requested"}""";
        try
        {
            await using (var first = await TestDaemon.StartAsync(extraHocon: sqlite, dataDir: dataDir))
            {
                Assert.Equal(HttpStatusCode.Accepted, (await first.Client.SendAsync(GitHub(body, Sign(body), "before-restart"))).StatusCode);
            }

            await using var second = await TestDaemon.StartAsync(extraHocon: sqlite, dataDir: dataDir);
            var replay = await second.Client.SendAsync(GitHub(body, Sign(body), "before-restart"));
            var fresh = await second.Client.SendAsync(GitHub(body, Sign(body), "after-restart"));

            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
            Assert.Equal(HttpStatusCode.Accepted, fresh.StatusCode);
            await Poll.UntilAsync(() => second.Received.OfType<ExternalEvent>().Any(e => e.DeliveryId == "after-restart"), "the new delivery to be handed over");
            Assert.Single((await JournalOf(second)).OfType<DeliveryStored>(), e => e.DeliveryId == "before-restart");
            Assert.Single((await JournalOf(second)).OfType<DeliveryStored>(), e => e.DeliveryId == "after-restart");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Theory]
    [InlineData(null, "webhook-signature-missing")]
    [InlineData("sha256=0000000000000000000000000000000000000000000000000000000000000000", "webhook-signature-invalid")]
    [InlineData("garbage", "webhook-signature-invalid")]
    public async Task A_missing_or_wrong_signature_is_refused_with_401_and_recorded_as_a_security_event(string? signature, string kind)
    {
        var response = await _daemon.Client.SendAsync(GitHub("""{"ref":"x"}""", signature));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var recorded = Assert.IsType<SecurityEventRecorded>(Assert.Single(await JournalAsync()));
        Assert.Equal(kind, recorded.Kind);
        Assert.Empty(_daemon.Received.OfType<ExternalEvent>());
    }

    [Fact]
    public async Task A_body_signed_with_another_secret_is_refused()
    {
        const string body = """{"ref":"x"}""";
        var forged = GitHubWebhookSignature.Compute("not-the-configured-secret", Encoding.UTF8.GetBytes(body));

        var response = await _daemon.Client.SendAsync(GitHub(body, forged));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_published_GitHub_test_vector_verifies_and_one_changed_byte_does_not()
    {
        var vector = JsonDocument.Parse(await File.ReadAllTextAsync("/work/shared/specs/github/webhook-signature-test-vector.json")).RootElement;
        var secret = vector.GetProperty("secret").GetString()!;
        await using var daemon = await TestDaemon.StartAsync(extraHocon: $"autopilot.platforms.github.webhook-secret = \"{secret}\"");
        var payload = vector.GetProperty("payload_utf8").GetString()!;
        var header = vector.GetProperty("header_value").GetString()!;

        // The vector's payload is not JSON: a verified signature gets as far as the JSON check (400), a bad one stops at 401.
        var verified = await daemon.Client.SendAsync(GitHub(payload, header));
        var tampered = await daemon.Client.SendAsync(GitHub(payload + "!", header));

        Assert.Equal(HttpStatusCode.BadRequest, verified.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
    }

    [Fact]
    public async Task Malformed_json_with_a_valid_signature_is_a_400_and_nothing_is_journaled()
    {
        const string body = """{"ref": """;

        var response = await _daemon.Client.SendAsync(GitHub(body, Sign(body)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("bad_request", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        Assert.Empty(await JournalAsync());
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413()
    {
        var body = "{\"pad\":\"" + new string('x', 8 * 1024) + "\"}";

        var response = await _daemon.Client.SendAsync(GitHub(body, Sign(body)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(await JournalAsync());
    }

    [Fact]
    public async Task A_delivery_without_an_event_header_is_a_400()
    {
        const string body = """{"ref":"x"}""";
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github") { Content = new StringContent(body) };
        request.Headers.Add(GitHubWebhookSignature.HeaderName, Sign(body));

        var response = await _daemon.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("railway", TestDaemon.RailwaySecret)]
    [InlineData("n8n", TestDaemon.N8nSecret)]
    public async Task Railway_and_n8n_deliveries_need_the_shared_secret(string source, string secret)
    {
        const string body = """{"type":"DEPLOY","status":"FAILED"}""";
        HttpRequestMessage Delivery(string? token, string delivery)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/{source}") { Content = new StringContent(body) };
            request.Headers.Add("X-Autopilot-Delivery", delivery);
            if (token is not null)
            {
                request.Headers.Add("X-Autopilot-Token", token);
            }

            return request;
        }

        var accepted = await _daemon.Client.SendAsync(Delivery(secret, "r-1"));
        var wrong = await _daemon.Client.SendAsync(Delivery("wrong-secret", "r-2"));
        var missing = await _daemon.Client.SendAsync(Delivery(null, "r-3"));
        var viaQuery = await _daemon.Client.PostAsync($"/webhooks/{source}?token={secret}", new StringContent("""{"type":"DEPLOY","n":2}"""));

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, viaQuery.StatusCode);
        var journal = await JournalAsync();
        Assert.Equal(2, journal.OfType<DeliveryStored>().Count(e => e.Source == source && e.EventType == "DEPLOY"));
        Assert.Equal(2, journal.OfType<SecurityEventRecorded>().Count());
    }

    [Fact]
    public async Task Webhook_secrets_never_reach_the_log()
    {
        await _daemon.Client.SendAsync(GitHub("""{"a":1}""", "sha256=bad"));
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/railway?token=wrong") { Content = new StringContent("{}") };
        await _daemon.Client.SendAsync(request);

        var log = _daemon.Log.ToString();
        Assert.Contains("webhook-signature-invalid", log);
        Assert.DoesNotContain(TestDaemon.GitHubSecret, log);
        Assert.DoesNotContain(TestDaemon.RailwaySecret, log);
        Assert.DoesNotContain(TestDaemon.RailwayApiToken, log);
    }
}
