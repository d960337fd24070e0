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

/// <summary>
/// Issue 14 (3) end to end in the daemon with the real loop on the simulator: the failed build's rollback waits for an
/// approval in Telegram; presses come in by long polling (getUpdates) through the durable intake; a stranger's press is
/// refused, an approver's press rolls back once.
/// </summary>
public sealed class SimulatedApprovalTests
{
    private const long Alice = 4242;

    // The simulated platforms with a policy that puts the build failure's rollback to a human, decided by Alice.
    private static WebApplication Build(SimulatedPlatforms simulation, string workDir, string journal) => DaemonHost.Build(new DaemonHostOptions
    {
        Overrides = $$"""
            autopilot.http.port = 0
            autopilot.http.rate-limit.permits = 1000000
            autopilot.persistence.journal.plugin = {{journal}}
            autopilot.persistence.query-poll-interval = 100ms
            autopilot.agents.orchestrator.cycle-interval = 500ms
            autopilot.agents.railway.poll-interval = 100ms
            autopilot.agents.railway.stable-after = 1s
            autopilot.agents.policy.build-failed = ["approve:rollback", alert-critical]
            autopilot.platforms.telegram { approvers = [{{Alice}}], updates = polling, poll-timeout = 1s }
            """ + "\n" + simulation.Overrides,
        EnvironmentVariables = _ => null,
        WorkingDirectory = workDir,
        OrchestratorFactory = OrchestratorWiring.Create,
        LogOutput = TextWriter.Null,
        ConfigureWebHost = web => web.UseTestServer(),
    });

    [Fact]
    public async Task A_press_read_by_long_polling_goes_through_the_intake_and_only_an_approver_rolls_back()
    {
        var workDir = Directory.CreateTempSubdirectory("autopilot-approval-test").FullName;
        await using var simulation = await SimulatedPlatforms.StartAsync(TimeProvider.System, new RailwayFakeOptions(TimeSpan.FromMilliseconds(100)));
        var app = Build(simulation, workDir, "inmem");
        await using (app)
        {
            await app.StartAsync();
            using var client = app.GetTestClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", simulation.SessionToken);

            await Poll.UntilAsync(() => simulation.Telegram.MessagesIn(SimulatedPlatforms.DemoChatId).Any(m => m.Keyboard is not null),
                "the approval message", TimeSpan.FromSeconds(60));
            var message = simulation.Telegram.MessagesIn(SimulatedPlatforms.DemoChatId).Single(m => m.Keyboard is not null);
            var approvals = JsonDocument.Parse(await client.GetStringAsync("/api/approvals")).RootElement.GetProperty("approvals");
            var id = approvals.EnumerateArray().Single().GetProperty("id").GetString()!;
            Assert.Equal("rollback", approvals[0].GetProperty("action").GetString());

            var stranger = await simulation.Telegram.PressButton(SimulatedPlatforms.DemoChatId, message.MessageId, $"approve:{id}", 6666, "mallory");
            await Poll.UntilAsync(() => simulation.Telegram.WasAnswered(stranger.CallbackQueryId), "the answer to the stranger", TimeSpan.FromSeconds(30));
            Assert.Contains("not allowed", simulation.Telegram.CallbackAnswer(stranger.CallbackQueryId));
            var alice = await simulation.Telegram.PressButton(SimulatedPlatforms.DemoChatId, message.MessageId, $"approve:{id}", Alice, "alice");
            await Poll.UntilAsync(() => simulation.Telegram.WasAnswered(alice.CallbackQueryId), "the answer to alice", TimeSpan.FromSeconds(30));

            var types = new List<string>();
            await Poll.UntilAsync(() =>
            {
                var audit = JsonDocument.Parse(client.GetStringAsync("/api/audit?limit=1000").GetAwaiter().GetResult()).RootElement;
                types = audit.EnumerateArray().Select(r => $"{r.GetProperty("type").GetString()} {r.GetProperty("event").GetRawText()}").ToList();
                return types.Any(t => t.StartsWith("autopilot.action_completed", StringComparison.Ordinal) && t.Contains("rollback", StringComparison.OrdinalIgnoreCase));
            }, "the approved rollback", TimeSpan.FromSeconds(60));

            Assert.Single(types, t => t.StartsWith("autopilot.action_requested", StringComparison.Ordinal) && t.Contains("\"action\":\"rollback\"", StringComparison.Ordinal));
            Assert.Single(types, t => t.StartsWith("autopilot.approval_decided", StringComparison.Ordinal) && t.Contains("alice", StringComparison.Ordinal));
            Assert.Contains(types, t => t.StartsWith("autopilot.security_event_recorded", StringComparison.Ordinal) && t.Contains("approval-not-allowed", StringComparison.Ordinal));
            Assert.Contains("Approved by @alice", simulation.Telegram.MessagesIn(SimulatedPlatforms.DemoChatId).Single(m => m.MessageId == message.MessageId).Text);
            Assert.Empty(JsonDocument.Parse(await client.GetStringAsync("/api/approvals")).RootElement.GetProperty("approvals").EnumerateArray());
            await app.StopAsync();
        }

        Directory.Delete(workDir, recursive: true);
    }

    [Fact]
    public async Task An_approval_pending_when_the_daemon_stops_is_still_pending_after_its_restart_and_a_press_then_acts()
    {
        var workDir = Directory.CreateTempSubdirectory("autopilot-approval-restart-test").FullName;
        await using var simulation = await SimulatedPlatforms.StartAsync(TimeProvider.System, new RailwayFakeOptions(TimeSpan.FromMilliseconds(100)));
        WebApplication Build() => SimulatedApprovalTests.Build(simulation, workDir, "sqlite");

        try
        {
            string id;
            await using (var first = Build())
            {
                await first.StartAsync();
                await Poll.UntilAsync(() => simulation.Telegram.MessagesIn(SimulatedPlatforms.DemoChatId).Any(m => m.Keyboard is not null),
                    "the approval message", TimeSpan.FromSeconds(60));
                using var client = first.GetTestClient();
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", simulation.SessionToken);
                id = JsonDocument.Parse(await client.GetStringAsync("/api/approvals")).RootElement.GetProperty("approvals")[0].GetProperty("id").GetString()!;
                await first.StopAsync();
            }

            await using var second = Build();
            await second.StartAsync();
            using var again = second.GetTestClient();
            again.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", simulation.SessionToken);
            await Poll.UntilAsync(() => JsonDocument.Parse(again.GetStringAsync("/api/approvals").GetAwaiter().GetResult()).RootElement
                .GetProperty("approvals").EnumerateArray().Any(a => a.GetProperty("id").GetString() == id), "the approval after the restart", TimeSpan.FromSeconds(60));
            var message = simulation.Telegram.MessagesIn(SimulatedPlatforms.DemoChatId).Single(m => m.Keyboard is not null);
            var press = await simulation.Telegram.PressButton(SimulatedPlatforms.DemoChatId, message.MessageId, $"approve:{id}", Alice, "alice");
            await Poll.UntilAsync(() => simulation.Telegram.WasAnswered(press.CallbackQueryId), "the answer after the restart", TimeSpan.FromSeconds(60));

            var types = new List<string>();
            await Poll.UntilAsync(() =>
            {
                var audit = JsonDocument.Parse(again.GetStringAsync("/api/audit?limit=1000").GetAwaiter().GetResult()).RootElement;
                types = audit.EnumerateArray().Select(r => $"{r.GetProperty("type").GetString()} {r.GetProperty("event").GetRawText()}").ToList();
                return types.Any(t => t.StartsWith("autopilot.action_requested", StringComparison.Ordinal) && t.Contains("\"action\":\"rollback\"", StringComparison.Ordinal));
            }, "the approved rollback", TimeSpan.FromSeconds(60));
            Assert.Single(types, t => t.StartsWith("autopilot.approval_requested", StringComparison.Ordinal));
            Assert.Single(types, t => t.StartsWith("autopilot.action_requested", StringComparison.Ordinal) && t.Contains("\"action\":\"rollback\"", StringComparison.Ordinal));
            await second.StopAsync();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(workDir, recursive: true);
        }
    }
}
