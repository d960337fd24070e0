using System.Net.Http.Headers;
using System.Text.Json;
using Autopilot.Daemon.Hosting;
using Autopilot.Daemon.Runtime;
using Autopilot.Daemon.Simulation;
using Autopilot.Daemon.Tests.Fixtures;
using Autopilot.Simulator.Railway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace Autopilot.Daemon.Tests.Http;

public sealed class SimulationTests
{
    [Fact]
    public async Task Simulate_runs_the_real_loop_deploy_build_failure_rollback_alert_and_issue()
    {
        var workDir = Directory.CreateTempSubdirectory("autopilot-simulation-test").FullName;
        await using var simulation = await SimulatedPlatforms.StartAsync(TimeProvider.System, new RailwayFakeOptions(TimeSpan.FromMilliseconds(100)));
        const string test = """
            autopilot.http.port = 0
            autopilot.http.rate-limit.permits = 1000000
            autopilot.persistence.journal.plugin = inmem
            autopilot.persistence.query-poll-interval = 100ms
            autopilot.agents.orchestrator.cycle-interval = 500ms
            autopilot.agents.railway.poll-interval = 100ms
            autopilot.agents.railway.stable-after = 1s
            """;
        var app = DaemonHost.Build(new DaemonHostOptions
        {
            // The simulator's endpoints win over the test's settings.
            Overrides = test + "\n" + simulation.Overrides,
            EnvironmentVariables = _ => null,
            WorkingDirectory = workDir,
            OrchestratorFactory = OrchestratorWiring.Create,
            LogOutput = TextWriter.Null,
            ConfigureWebHost = web => web.UseTestServer(),
        });
        await using (app)
        {
            await app.StartAsync();
            using var client = app.GetTestClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", simulation.SessionToken);

            var types = new List<string>();
            await Poll.UntilAsync(() =>
            {
                var audit = JsonDocument.Parse(client.GetStringAsync("/api/audit?limit=1000").GetAwaiter().GetResult()).RootElement;
                types = audit.EnumerateArray().Select(r => $"{r.GetProperty("type").GetString()} {r.GetProperty("event").GetRawText()}").ToList();
                return types.Any(t => t.StartsWith("autopilot.alert_sent", StringComparison.Ordinal));
            }, "the alert", TimeSpan.FromSeconds(60));

            Assert.Contains(types, t => t.StartsWith("autopilot.oriented", StringComparison.Ordinal) && t.Contains("checks-passed", StringComparison.Ordinal));
            Assert.Contains(types, t => t.StartsWith("autopilot.oriented", StringComparison.Ordinal) && t.Contains("build-failed", StringComparison.Ordinal));
            Assert.Contains(types, t => t.StartsWith("autopilot.action_requested", StringComparison.Ordinal) && t.Contains("\"rollback\"", StringComparison.Ordinal));
            Assert.Contains(types, t => t.StartsWith("autopilot.incident_opened", StringComparison.Ordinal));
            var owner = SimulatedPlatforms.DemoRepository.Split('/')[0];
            var repo = SimulatedPlatforms.DemoRepository.Split('/')[1];
            await Poll.UntilAsync(() => simulation.GitHub.Issues(owner, repo).Count > 0, "the incident issue");
            Assert.Contains(types, t => t.StartsWith("autopilot.alert_sent", StringComparison.Ordinal) && t.Contains("Critical", StringComparison.OrdinalIgnoreCase));
            await Poll.UntilAsync(() => simulation.Telegram.MessagesIn(SimulatedPlatforms.DemoChatId).Count > 0, "the Telegram alert");
            var metrics = await client.GetStringAsync("/metrics");
            Assert.Contains("autopilot_platform_call_duration_seconds_count{operation=\"POST\",platform=\"railway\",status=\"200\"}", metrics);

            // The demo service's app is probed: through the failed build the last good deployment kept serving, so its
            // card shows a healthy probe (answered 200 by the app fake) and it has uptime figures.
            JsonElement probe = default;
            await Poll.UntilAsync(() =>
            {
                var cards = JsonDocument.Parse(client.GetStringAsync("/api/dashboard/services").GetAwaiter().GetResult()).RootElement;
                var card = cards.GetProperty("services").EnumerateArray().Single(c => c.GetProperty("service").GetString() == SimulatedPlatforms.DemoService);
                probe = card.GetProperty("lastProbe");
                return probe.ValueKind == JsonValueKind.Object;
            }, "a probe of the demo service on its card");
            Assert.True(probe.GetProperty("healthy").GetBoolean());
            Assert.Equal(200, probe.GetProperty("statusCode").GetInt32());
            Assert.Contains(simulation.App.Exchanges, e => e.Path == "/healthz" && e.StatusCode == 200);
            await app.StopAsync();
        }

        Directory.Delete(workDir, recursive: true);
    }
}
