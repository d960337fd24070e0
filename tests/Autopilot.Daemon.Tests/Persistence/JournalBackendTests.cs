using System.Net;
using System.Text;
using System.Text.Json;
using Autopilot.Daemon.Intake;
using Autopilot.Daemon.Tests.Fixtures;
using Autopilot.Platforms.GitHub;
using Autopilot.Testing.PostgreSql;

namespace Autopilot.Daemon.Tests.Persistence;

/// <summary>One throwaway PostgreSQL server for the daemon tests that need one; each test class makes its own databases.</summary>
[CollectionDefinition(Name)]
public sealed class DaemonPostgresCollection : ICollectionFixture<ThrowawayPostgres>
{
    public const string Name = "daemon-postgres";
}

/// <summary>
/// The same daemon on both real journals: the SQLite file under data/ and a throwaway PostgreSQL server. What it
/// journals (deliveries with payloads, audit events) survives a restart and is read back by the admin API.
/// </summary>
[Collection(DaemonPostgresCollection.Name)]
public sealed class JournalBackendTests(ThrowawayPostgres server)
{
    public static TheoryData<string> Journals => new() { "sqlite", "postgresql" };

    /// <summary>The daemon's journal setting: the SQLite file under data/, or the PostgreSQL database given.</summary>
    internal static string JournalHocon(string? postgresConnectionString) => postgresConnectionString is null
        ? "autopilot.persistence.journal.plugin = sqlite"
        : $"""
           autopilot.persistence.journal.plugin = postgresql
           autopilot.persistence.journal.postgresql.connection-string = {JsonSerializer.Serialize(postgresConnectionString)}
           """;

    [Theory]
    [MemberData(nameof(Journals))]
    public async Task Deliveries_and_audit_events_survive_a_restart_and_are_read_back_from_the_journal(string plugin)
    {
        var hocon = JournalHocon(plugin == "sqlite" ? null : await server.CreateDatabaseAsync("daemon_journal"));
        var dataDir = Directory.CreateTempSubdirectory("autopilot-journal-test").FullName;
        const string body = """{"ref":"refs/heads/main","after":"f00d"}""";
        try
        {
            await using (var first = await TestDaemon.StartAsync(extraHocon: hocon, dataDir: dataDir))
            {
                Assert.Equal(HttpStatusCode.Accepted, (await first.Client.SendAsync(Delivery("journal-1", body))).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await first.SendAsync(HttpMethod.Post, "/api/pause", TestDaemon.OperatorToken)).StatusCode);
                // The journal's details are in the authenticated /api/health (the public /health says up or down only).
                var health = JsonDocument.Parse(await (await first.SendAsync(HttpMethod.Get, "/api/health", TestDaemon.ViewerToken)).Content.ReadAsStringAsync()).RootElement;
                Assert.Equal((plugin, "healthy"), (health.GetProperty("journal").GetProperty("detail").GetString(), health.GetProperty("journal").GetProperty("status").GetString()));
            }

            await using var second = await TestDaemon.StartAsync(extraHocon: hocon, dataDir: dataDir);
            var replay = await second.Client.SendAsync(Delivery("journal-1", body));
            var status = JsonDocument.Parse(await (await second.SendAsync(HttpMethod.Get, "/api/status", TestDaemon.ViewerToken)).Content.ReadAsStringAsync()).RootElement;
            var audit = JsonDocument.Parse(await (await second.SendAsync(HttpMethod.Get, "/api/audit?phase=mode", TestDaemon.ViewerToken)).Content.ReadAsStringAsync()).RootElement;
            var stored = Assert.Single((await second.EventsAsync(WebhookIntake.StreamId)).OfType<DeliveryStored>());

            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
            Assert.Equal(plugin, status.GetProperty("journal").GetString());
            Assert.True(status.GetProperty("autopilot").GetProperty("paused").GetBoolean(), "the orchestrator's recovered state");
            Assert.Equal("paused", Assert.Single(audit.EnumerateArray()).GetProperty("event").GetProperty("change").GetString());
            Assert.Equal("journal-1", stored.DeliveryId);
            Assert.Equal("f00d", JsonDocument.Parse(stored.Payload).RootElement.GetProperty("after").GetString());
            Assert.Equal(plugin == "sqlite", File.Exists(Path.Combine(dataDir, "autopilot.db")));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>A signed GitHub push delivery (the journal tests' webhook).</summary>
    internal static HttpRequestMessage Delivery(string id, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-GitHub-Event", "push");
        request.Headers.Add("X-GitHub-Delivery", id);
        request.Headers.Add(GitHubWebhookSignature.HeaderName, GitHubWebhookSignature.Compute(TestDaemon.GitHubSecret, Encoding.UTF8.GetBytes(body)));
        return request;
    }
}
