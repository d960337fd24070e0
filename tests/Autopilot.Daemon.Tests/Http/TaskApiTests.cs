using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tasks;
using Autopilot.Daemon.Tests.Fixtures;

namespace Autopilot.Daemon.Tests.Http;

/// <summary>
/// <c>/api/tasks</c> on a daemon whose orchestrator runs the real task queue over the real journal: roles, a 202 only once
/// the task is journaled, idempotent submits, bad input, cancel.
/// </summary>
public sealed class TaskApiTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<object> _received = new();
    private TestDaemon _daemon = null!;

    public async Task InitializeAsync() => _daemon = await TestDaemon.StartAsync(orchestratorFactory: TaskQueueHost.Factory(_received));

    public async Task DisposeAsync() => await _daemon.DisposeAsync();

    private async Task<HttpResponseMessage> SubmitAsync(string json, string? token = TestDaemon.OperatorToken, string? key = null)
    {
        var request = _daemon.Request(HttpMethod.Post, "/api/tasks", token);
        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return await _daemon.Client.SendAsync(request);
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private async Task<JsonElement> TaskAsync(string id) => await Json(await _daemon.SendAsync(HttpMethod.Get, $"/api/tasks/{id}", TestDaemon.ViewerToken));

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData(TestDaemon.ViewerToken, HttpStatusCode.Forbidden)]
    [InlineData(TestDaemon.OperatorToken, HttpStatusCode.Accepted)]
    [InlineData(TestDaemon.AdminToken, HttpStatusCode.Accepted)]
    public async Task Operators_submit_tasks_and_viewers_may_not(string? token, HttpStatusCode expected)
    {
        var response = await SubmitAsync("""{"kind":"drill","target":"build-failed"}""", token);

        Assert.Equal(expected, response.StatusCode);
        var submitted = (await _daemon.EventsAsync(TaskQueue.DefaultPersistenceId)).OfType<TaskSubmitted>().ToArray();
        Assert.Equal(expected == HttpStatusCode.Accepted ? 1 : 0, submitted.Length);
        var list = await _daemon.SendAsync(HttpMethod.Get, "/api/tasks", TestDaemon.ViewerToken);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var viewerCancel = await _daemon.SendAsync(HttpMethod.Delete, "/api/tasks/task-x", TestDaemon.ViewerToken);
        Assert.Equal(HttpStatusCode.Forbidden, viewerCancel.StatusCode);
    }

    [Fact]
    public async Task A_202_means_the_task_is_journaled_and_its_timeline_shows_it_run()
    {
        var response = await SubmitAsync("""{"kind":"rollback","target":"demo-api","priority":"high","timeout":"90s"}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await Json(response)).GetProperty("id").GetString()!;
        // Durable before the answer: the journal holds it already, without waiting.
        var submitted = Assert.Single((await _daemon.EventsAsync(TaskQueue.DefaultPersistenceId)).OfType<TaskSubmitted>());
        Assert.Equal(id, submitted.TaskId);
        Assert.Equal(("rollback", "demo-api", "high", TimeSpan.FromSeconds(90), "operator"),
            (submitted.Kind, submitted.Target, submitted.Priority, submitted.Timeout, submitted.By));

        await Poll.UntilAsync(() => TaskAsync(id).GetAwaiter().GetResult().GetProperty("task").GetProperty("status").GetString() == "dry-run", "the task to finish");
        var detail = await TaskAsync(id);
        Assert.Equal(["submitted", "started", "finished"], detail.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("event").GetString()));
        var run = Assert.Single(_received.OfType<RunTaskAction>());
        Assert.Equal((id, "rollback", "demo-api", "operator"), (run.TaskId, run.Action, run.Service, run.RequestedBy));
        // On the audit trail (and so on its live stream) under the tasks tag, and filed under its service.
        var audit = await Json(await _daemon.SendAsync(HttpMethod.Get, "/api/audit?tag=tasks&limit=50", TestDaemon.ViewerToken));
        Assert.Contains(audit.EnumerateArray(), r => r.GetProperty("type").GetString() == "autopilot.task_finished" && r.GetProperty("phase").GetString() == "task");
        var ofService = await Json(await _daemon.SendAsync(HttpMethod.Get, "/api/audit?phase=task&service=demo-api&limit=50", TestDaemon.ViewerToken));
        Assert.Equal(["autopilot.task_submitted", "autopilot.task_started", "autopilot.task_finished"],
            ofService.EnumerateArray().Where(r => r.GetProperty("event").GetProperty("taskId").GetString() == id).Select(r => r.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task A_retried_submit_with_the_same_idempotency_key_returns_the_same_task()
    {
        var first = await Json(await SubmitAsync("""{"kind":"drill","target":"build-failed"}""", key: "pipeline-7-step-3"));
        var retry = await SubmitAsync("""{"kind":"drill","target":"build-failed"}""", key: "pipeline-7-step-3");
        var other = await Json(await SubmitAsync("""{"kind":"drill","target":"build-failed"}""", key: "pipeline-8-step-3"));

        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        var again = await Json(retry);
        Assert.Equal(first.GetProperty("id").GetString(), again.GetProperty("id").GetString());
        Assert.True(again.GetProperty("existing").GetBoolean());
        Assert.NotEqual(first.GetProperty("id").GetString(), other.GetProperty("id").GetString());
        Assert.Equal(2, (await _daemon.EventsAsync(TaskQueue.DefaultPersistenceId)).OfType<TaskSubmitted>().Count());
    }

    [Theory]
    [InlineData("""{"kind":"rollback",""", "bad_request", "not a task")]
    [InlineData("""{"kind":"teleport","target":"demo-api"}""", "invalid_task", "known: drill, fallback-run, gate, migrate, redeploy, restart, rollback")]
    [InlineData("""{"kind":"gate","target":"demo-api"}""", "invalid_task", "commit")]
    [InlineData("""{"kind":"rollback","target":"demo-api","priority":"urgent"}""", "invalid_task", "unknown priority")]
    [InlineData("""{"kind":"rollback","target":"demo-api","timeout":"soon"}""", "bad_request", "timeout must be a duration")]
    [InlineData("""{"kind":"rollback","target":"demo-api","timeout":"5h"}""", "invalid_task", "autopilot.agents.tasks.max-timeout")]
    public async Task Bad_submits_are_answered_400_with_the_reason(string json, string error, string says)
    {
        var response = await SubmitAsync(json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await Json(response);
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.Contains(says, body.GetProperty("message").GetString());
        Assert.Empty((await _daemon.EventsAsync(TaskQueue.DefaultPersistenceId)).OfType<TaskSubmitted>());
    }

    [Fact]
    public async Task A_queued_task_is_cancelled_a_running_one_is_not_and_an_unknown_one_is_404()
    {
        var running = (await Json(await SubmitAsync($$"""{"kind":"restart","target":"{{TaskQueueHost.BusyTarget}}"}"""))).GetProperty("id").GetString()!;
        var queued = (await Json(await SubmitAsync($$"""{"kind":"rollback","target":"{{TaskQueueHost.BusyTarget}}"}"""))).GetProperty("id").GetString()!;
        await Poll.UntilAsync(() => _received.OfType<RunTaskAction>().Any(r => r.TaskId == running), "the first task to run");

        var cancelled = await _daemon.SendAsync(HttpMethod.Delete, $"/api/tasks/{queued}", TestDaemon.OperatorToken);
        var refused = await _daemon.SendAsync(HttpMethod.Delete, $"/api/tasks/{running}", TestDaemon.OperatorToken);
        var unknown = await _daemon.SendAsync(HttpMethod.Delete, "/api/tasks/task-0000000000", TestDaemon.OperatorToken);

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal("cancelled", (await Json(cancelled)).GetProperty("task").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("already running", (await Json(refused)).GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var list = await Json(await _daemon.SendAsync(HttpMethod.Get, "/api/tasks?status=cancelled", TestDaemon.ViewerToken));
        Assert.Equal([queued], list.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        Assert.Contains((await _daemon.EventsAsync(TaskQueue.DefaultPersistenceId)).OfType<TaskCancelled>(), c => c.TaskId == queued && c.By == "operator");
    }

}

/// <summary>The task queue across a daemon restart on a SQLite file journal.</summary>
public sealed class TaskRestartTests
{
    private static async Task<JsonElement> Json(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task After_a_daemon_restart_queued_tasks_stay_queued_and_the_running_one_is_not_run_again()
    {
        const string sqlite = "autopilot.persistence.journal.plugin = sqlite";
        var dataDir = Directory.CreateTempSubdirectory("autopilot-task-restart-test").FullName;
        try
        {
            var received = new ConcurrentQueue<object>();
            string running, queued;
            await using (var first = await TestDaemon.StartAsync(extraHocon: sqlite, dataDir: dataDir, orchestratorFactory: TaskQueueHost.Factory(received)))
            {
                var daemon = first;
                async Task<string> Submit(string kind)
                {
                    var request = daemon.Request(HttpMethod.Post, "/api/tasks", TestDaemon.OperatorToken);
                    request.Content = new StringContent($$"""{"kind":"{{kind}}","target":"{{TaskQueueHost.BusyTarget}}"}""", Encoding.UTF8, "application/json");
                    return (await Json(await daemon.Client.SendAsync(request))).GetProperty("id").GetString()!;
                }

                running = await Submit("restart");
                queued = await Submit("rollback");
                await Poll.UntilAsync(() => received.OfType<RunTaskAction>().Any(r => r.TaskId == running), "the first task to run");
            }

            var afterRestart = new ConcurrentQueue<object>();
            await using var second = await TestDaemon.StartAsync(extraHocon: sqlite, dataDir: dataDir, orchestratorFactory: TaskQueueHost.Factory(afterRestart));
            async Task<string?> StatusAsync(string id) =>
                (await Json(await second.SendAsync(HttpMethod.Get, $"/api/tasks/{id}", TestDaemon.ViewerToken))).GetProperty("task").GetProperty("status").GetString();

            // The stand-in finds no pending action of the running task: it is closed as interrupted, never sent again;
            // then the queued task on the same target starts (and runs, as the stand-in never answers it).
            await Poll.UntilAsync(() => afterRestart.OfType<RunTaskAction>().Any(r => r.TaskId == queued), "the queued task to start after the restart");
            Assert.Equal("interrupted", await StatusAsync(running));
            Assert.Equal("running", await StatusAsync(queued));
            Assert.DoesNotContain(afterRestart.OfType<RunTaskAction>(), r => r.TaskId == running);
            Assert.Contains(afterRestart.OfType<FindTaskAction>(), f => f.TaskId == running);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
