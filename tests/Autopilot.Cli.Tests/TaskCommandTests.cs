using System.Collections.Concurrent;
using System.Text.Json;
using Autopilot.Agents.Protocol;
using Autopilot.Cli;
using Autopilot.Daemon.Tests.Fixtures;

namespace Autopilot.Cli.Tests;

/// <summary>A daemon on real Kestrel whose orchestrator runs the real task queue (<see cref="TaskQueueHost"/>).</summary>
public sealed class TaskDaemonFixture : IAsyncLifetime
{
    public ConcurrentQueue<object> Received { get; } = new();

    public TestDaemon Daemon { get; private set; } = null!;

    public async Task InitializeAsync() => Daemon = await TestDaemon.StartAsync(kestrel: true, orchestratorFactory: TaskQueueHost.Factory(Received));

    public async Task DisposeAsync() => await Daemon.DisposeAsync();

    public Task<CliRun> RunAsync(string? token, params string[] args)
    {
        var environment = new Dictionary<string, string> { ["AUTOPILOT_HOST"] = Daemon.Address!.Authority };
        if (token is not null)
        {
            environment["AUTOPILOT_TOKEN"] = token;
        }

        return CliRun.ExecAsync(environment, args);
    }
}

/// <summary><c>autopilot task submit|list|show|cancel|watch</c> against the real task API.</summary>
public sealed class TaskCommandTests(TaskDaemonFixture fixture) : IClassFixture<TaskDaemonFixture>
{
    private static string IdIn(CliRun run) => JsonDocument.Parse(run.Output).RootElement.GetProperty("id").GetString()!;

    [Fact]
    public async Task Submit_queues_a_task_that_list_show_and_watch_follow_to_its_end()
    {
        var submitted = await fixture.RunAsync(TestDaemon.OperatorToken, "task", "submit", "rollback", "demo-api", "--priority", "high", "--timeout", "5m", "--json");
        Assert.Equal(ExitCodes.Ok, submitted.ExitCode);
        var id = IdIn(submitted);

        // The stand-in answers rollbacks as dry-runs: not a success, so watch exits 1 after printing the whole timeline.
        var watched = await fixture.RunAsync(TestDaemon.ViewerToken, "task", "watch", id, "--interval-ms", "100");
        var shown = await fixture.RunAsync(TestDaemon.ViewerToken, "task", "show", id);
        var listed = await fixture.RunAsync(TestDaemon.ViewerToken, "task", "list", "--status", "dry-run");

        Assert.Equal(ExitCodes.Failed, watched.ExitCode);
        Assert.Contains("submitted: rollback of demo-api by operator (high, timeout 00:05:00)", watched.Output);
        Assert.Contains("started: sent to the orchestrator", watched.Output);
        Assert.Contains("finished: dry-run", watched.Output);
        Assert.Equal(ExitCodes.Ok, shown.ExitCode);
        Assert.Contains(id, shown.Output);
        Assert.Contains("dry-run", shown.Output);
        Assert.Equal(ExitCodes.Ok, listed.ExitCode);
        Assert.Contains(id, listed.Output);
        Assert.Contains(fixture.Received.OfType<RunTaskAction>(), r => r.TaskId == id && r.Action == "rollback" && r.Service == "demo-api");
    }

    [Fact]
    public async Task Submit_with_watch_exits_0_when_the_task_succeeds_and_a_key_returns_the_same_task()
    {
        var run = await fixture.RunAsync(TestDaemon.OperatorToken, "task", "submit", "drill", "build-failed", "--key", "ci-42", "--watch", "--interval-ms", "100");
        var again = await fixture.RunAsync(TestDaemon.OperatorToken, "task", "submit", "drill", "build-failed", "--key", "ci-42");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("finished: succeeded: drill build-failed: recorded, not executed", run.Output);
        Assert.Equal(ExitCodes.Ok, again.ExitCode);
        Assert.Contains("already submitted as", again.Output);
        Assert.Single(fixture.Received.OfType<RunDrill>(), d => d.Scenario == "build-failed");
    }

    [Fact]
    public async Task Bad_submits_fail_with_the_daemons_reason_and_viewers_cannot_submit()
    {
        var unknown = await fixture.RunAsync(TestDaemon.OperatorToken, "task", "submit", "teleport", "demo-api");
        var badParam = await fixture.RunAsync(TestDaemon.OperatorToken, "task", "submit", "gate", "demo-api", "--param", "commit");
        var viewer = await fixture.RunAsync(TestDaemon.ViewerToken, "task", "submit", "drill", "build-failed");

        Assert.Equal(ExitCodes.Failed, unknown.ExitCode);
        Assert.Contains("unknown task kind \"teleport\"", unknown.Error);
        Assert.Equal(ExitCodes.Usage, badParam.ExitCode);
        Assert.Equal(ExitCodes.Unauthorized, viewer.ExitCode);
    }

    [Fact]
    public async Task Cancel_stops_a_queued_task_and_refuses_a_running_one()
    {
        var running = IdIn(await fixture.RunAsync(TestDaemon.OperatorToken, "task", "submit", "restart", TaskQueueHost.BusyTarget, "--json"));
        var queued = IdIn(await fixture.RunAsync(TestDaemon.OperatorToken, "task", "submit", "rollback", TaskQueueHost.BusyTarget, "--json"));
        await Poll.UntilAsync(() => fixture.Received.OfType<RunTaskAction>().Any(r => r.TaskId == running), "the first task to run");

        var cancelled = await fixture.RunAsync(TestDaemon.OperatorToken, "task", "cancel", queued);
        var refused = await fixture.RunAsync(TestDaemon.OperatorToken, "task", "cancel", running);
        var missing = await fixture.RunAsync(TestDaemon.ViewerToken, "task", "show", "task-0000000000");

        Assert.Equal(ExitCodes.Ok, cancelled.ExitCode);
        Assert.Contains("cancelled", cancelled.Output);
        Assert.Equal(ExitCodes.Failed, refused.ExitCode);
        Assert.Contains("already running", refused.Output);
        Assert.Equal(ExitCodes.Failed, missing.ExitCode);
        Assert.Contains("No task task-0000000000", missing.Error);
    }
}
