using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Tests.Fixtures;

namespace Autopilot.Daemon.Tests.SelfWatch;

/// <summary>The self-watch inside a running daemon: its alert reaches the orchestrator, and the log and /health show it.</summary>
public sealed class SelfWatchDaemonTests
{
    [Fact]
    public async Task A_disk_fuller_than_its_threshold_is_alerted_once_to_the_orchestrator_and_shown_in_the_log_and_on_health()
    {
        await using var daemon = await TestDaemon.StartAsync(extraHocon: """
            autopilot.self-watch { enabled = on, interval = 100ms, disk.max-used-ratio = 0.000001 }
            """);
        const string fingerprint = "self-watch:autopilot-1:disk";

        await Poll.UntilAsync(() => daemon.Received.OfType<RaiseAlert>().Any(a => a.Fingerprint == fingerprint), "the disk alert");
        await Poll.UntilAsync(() => LoggedWarning(daemon, "Self-watch", "disk"), "the warning in the log");

        using var health = await daemon.Client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var publicReport = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        Assert.Equal("up", publicReport.RootElement.GetProperty("status").GetString());
        Assert.Equal(["disk"], publicReport.RootElement.GetProperty("selfWatch").EnumerateArray().Select(e => e.GetString()));

        using var detailed = await daemon.SendAsync(HttpMethod.Get, "/api/health", TestDaemon.ViewerToken);
        using var report = JsonDocument.Parse(await detailed.Content.ReadAsStringAsync());
        var condition = Assert.Single(report.RootElement.GetProperty("selfWatch").EnumerateArray());
        Assert.Equal("disk", condition.GetProperty("name").GetString());
        Assert.Contains("full", condition.GetProperty("detail").GetString());
        Assert.Equal("degraded", report.RootElement.GetProperty("status").GetString());

        // Evaluated every 100 ms meanwhile: still the one alert.
        var metrics = await daemon.Client.GetStringAsync("/metrics");
        Assert.Contains("autopilot_self_watch_active{condition=\"disk\"} 1", metrics);
        Assert.Single(daemon.Received.OfType<RaiseAlert>(), a => a.Fingerprint == fingerprint);
    }

    [Fact]
    public async Task Operator_tasks_waiting_longer_than_allowed_are_a_self_watch_condition_with_their_depth_on_metrics()
    {
        await using var daemon = await TestDaemon.StartAsync(orchestratorFactory: TaskQueueHost.Factory(new ConcurrentQueue<object>()), extraHocon: """
            autopilot.self-watch { enabled = on, interval = 100ms, queue-depth.tasks { max-depth = 1, for = 0s } }
            """);

        // The first task on the busy target runs and never ends; the next two wait behind it.
        for (var i = 0; i < 3; i++)
        {
            var request = daemon.Request(HttpMethod.Post, "/api/tasks", TestDaemon.OperatorToken);
            request.Content = new StringContent($$"""{"kind":"rollback","target":"{{TaskQueueHost.BusyTarget}}"}""", Encoding.UTF8, "application/json");
            Assert.Equal(HttpStatusCode.Accepted, (await daemon.Client.SendAsync(request)).StatusCode);
        }

        await Poll.UntilAsync(async () => (await daemon.Client.GetStringAsync("/metrics")).Contains("autopilot_queue_depth{queue=\"tasks\"} 2"), "the task queue's depth on /metrics");
        await Poll.UntilAsync(async () => JsonDocument.Parse(await daemon.Client.GetStringAsync("/health")).RootElement.GetProperty("selfWatch").EnumerateArray().Any(e => e.GetString() == "queue:tasks"),
            "queue:tasks on /health");
        await Poll.UntilAsync(() => LoggedWarning(daemon, "Self-watch", "queue:tasks"), "the warning in the log");
    }

    private static bool LoggedWarning(TestDaemon daemon, params string[] words) =>
        daemon.Log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Any(e => e.TryGetProperty("@l", out var level) && level.GetString() == "Warning"
                && e.TryGetProperty("@m", out var message) && words.All(w => message.GetString()!.Contains(w, StringComparison.Ordinal)));
}
