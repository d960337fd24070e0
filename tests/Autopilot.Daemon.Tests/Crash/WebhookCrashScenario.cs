using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Autopilot.Daemon.Intake;
using Autopilot.Daemon.Tests.Fixtures;
using Autopilot.Platforms.GitHub;

namespace Autopilot.Daemon.Tests.Crash;

/// <summary>
/// One crash run: <c>autopilotd</c> as its own process takes signed GitHub webhooks from several concurrent senders;
/// once a (per-run different) number of them was answered 2xx, the process gets SIGKILL while requests are in flight.
/// It is started again on the same journal; then every delivery that was answered 2xx must be in the journal exactly
/// once with its payload, and be answered as a duplicate when redelivered. Deliveries cut off by the kill (no answer)
/// may or may not be in the journal, but never twice. The same scenario with SIGTERM checks the graceful stop under load
/// (exit 0, the intake closed before the journal).
/// </summary>
public static class WebhookCrashScenario
{
    public const string Secret = "crash-test-github-webhook-secret";
    private const string Token = "crash-test-admin-token-0123456789";
    private const int Senders = 12;

    /// <summary>Runs the scenario; <paramref name="journalEnvironment"/> selects the journal (empty: the SQLite file under data/).</summary>
    /// <param name="run">Distinguishes the runs (delivery ids and the number of answers before the kill).</param>
    /// <param name="journalEnvironment">AUTOPILOT_* variables choosing the journal.</param>
    /// <param name="journalHocon">The same journal for the in-process reader that checks the journal afterwards.</param>
    /// <param name="signal">9 (SIGKILL, the crash) or 15 (SIGTERM: the graceful stop under load must keep the same promise).</param>
    public static async Task RunAsync(int run, IReadOnlyDictionary<string, string> journalEnvironment, Func<string, string> journalHocon, int signal = 9)
    {
        var directory = Path.Combine(Path.GetTempPath(), "autopilot-crash-tests", Guid.NewGuid().ToString("N"));
        var environment = new Dictionary<string, string>(journalEnvironment)
        {
            ["AUTOPILOT_ADMIN_TOKEN"] = Token,
            ["GITHUB_WEBHOOK_SECRET"] = Secret,
        };
        // Different kill points per run: early (journal and intake still warming up) to well into the load.
        var killAfter = 40 + (run * 97 % 400);
        var acknowledged = new ConcurrentDictionary<string, string>();
        var cutOff = new ConcurrentDictionary<string, string>();
        try
        {
            using (var daemon = await DaemonProcess.StartAsync(environment, directory, what: "the first start"))
            {
                var killed = 0;
                async Task SendAsync(int sender)
                {
                    for (var i = 0; ; i++)
                    {
                        var id = $"crash-{run}-{sender}-{i}";
                        var body = $$"""{"ref":"refs/heads/main","after":"{{Guid.NewGuid():N}}","delivery":"{{id}}","n":{{i}}}""";
                        HttpResponseMessage response;
                        try
                        {
                            response = await daemon.Client.SendAsync(Delivery(id, body));
                        }
                        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
                        {
                            cutOff[id] = body;
                            return;
                        }

                        using (response)
                        {
                            if (!response.IsSuccessStatusCode)
                            {
                                // A refusal (e.g. 503 while the intake closes) promises nothing; this sender stops.
                                cutOff[id] = body;
                                return;
                            }

                            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                            acknowledged[id] = body;
                        }

                        if (acknowledged.Count >= killAfter && Interlocked.Exchange(ref killed, 1) == 0)
                        {
                            daemon.Signal(signal);
                        }
                    }
                }

                // Each sender ends at its first request without an answer (the kill) or refusal.
                await Task.WhenAll(Enumerable.Range(0, Senders).Select(s => Task.Run(() => SendAsync(s))));
                Assert.True(killed == 1, $"the senders stopped after {acknowledged.Count} answers without a kill:\n{string.Join('\n', daemon.Log.TakeLast(30))}");
                Assert.Equal(signal == 9 ? 128 + 9 : 0, await daemon.ExitedAsync());
            }

            Assert.True(acknowledged.Count >= killAfter, $"only {acknowledged.Count} deliveries were answered before the kill");

            // The process starts again on the journal it was killed on and recognises every acknowledged delivery.
            using (var restarted = await DaemonProcess.StartAsync(environment, directory, what: $"the restart after signal {signal}"))
            {
                foreach (var (id, body) in acknowledged)
                {
                    using var replay = await restarted.Client.SendAsync(Delivery(id, body));
                    Assert.True(replay.StatusCode == HttpStatusCode.OK, $"{id} was answered 202 before the kill, but {replay.StatusCode} after the restart");
                }

                restarted.Signal(15);
                Assert.Equal(0, await restarted.ExitedAsync());
            }

            // The journal itself, read back through Akka.Persistence.Query by a daemon on the same journal.
            await using var reader = await TestDaemon.StartAsync(extraHocon: journalHocon(directory), dataDir: Path.Combine(directory, "data"));
            var stored = (await reader.EventsAsync(WebhookIntake.StreamId)).OfType<DeliveryStored>().ToList();
            var byId = stored.GroupBy(d => d.DeliveryId).ToDictionary(g => g.Key, g => g.ToList());
            Assert.All(acknowledged, pair =>
            {
                Assert.True(byId.TryGetValue(pair.Key, out var copies), $"{pair.Key} was answered 2xx but is not in the journal");
                var copy = Assert.Single(copies!);
                Assert.Equal(("github", "push"), (copy.Source, copy.EventType));
                Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(pair.Value).RootElement, JsonDocument.Parse(copy.Payload).RootElement),
                    $"{pair.Key}: the journal holds {copy.Payload}, but {pair.Value} was sent");
            });
            Assert.All(byId, pair => Assert.True(pair.Value.Count == 1, $"{pair.Key} is in the journal {pair.Value.Count} times"));
            Assert.All(byId.Keys, id => Assert.True(acknowledged.ContainsKey(id) || cutOff.ContainsKey(id), $"{id} was never sent"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static HttpRequestMessage Delivery(string id, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-GitHub-Event", "push");
        request.Headers.Add("X-GitHub-Delivery", id);
        request.Headers.Add(GitHubWebhookSignature.HeaderName, GitHubWebhookSignature.Compute(Secret, Encoding.UTF8.GetBytes(body)));
        return request;
    }
}
