using Autopilot.Platforms.Tests.Support;
using System.Text.Json.Nodes;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.N8n;
using Autopilot.Platforms.Redaction;
using Autopilot.Platforms.Tests.Http;
using Autopilot.Simulator.Hosting;
using Autopilot.Simulator.N8n;
using Xunit;

namespace Autopilot.Platforms.Tests.N8n;

public sealed class N8nClientTests : IAsyncLifetime
{
    public const string ApiKey = "n8n_api_7f3c9e1b2d4a6f8e0c1b3d5f7a9e2c4b";
    public const string WebhookWorkflowNodes = """
        [{"id":"a1","name":"Webhook","type":"n8n-nodes-base.webhook","typeVersion":2,"position":[0,0],"parameters":{"path":"deploy-done","httpMethod":"POST"}},
         {"id":"a2","name":"Notify","type":"n8n-nodes-base.noOp","typeVersion":1,"position":[200,0],"parameters":{}}]
        """;

    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(97);

    private readonly ObservableFakeTimeProvider _clock = new();
    private readonly CapturingLogger _logger = new();
    private readonly Redactor _redactor = new();
    private readonly N8nFake _fake;
    private readonly HttpClient _http = new();

    public N8nClientTests() => _fake = new N8nFake(_clock, ApiKey);

    public Task InitializeAsync() => _fake.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _fake.DisposeAsync();
    }

    private N8nClient Client(string apiKey = ApiKey) => new(
        _http,
        new N8nClientOptions(_fake.BaseAddress, apiKey, new PlatformCallOptions(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), AttemptTimeout, TimeSpan.FromMinutes(2))),
        _redactor,
        _clock,
        _logger);

    private static N8nWorkflowDefinition Definition(string name, string nodes = WebhookWorkflowNodes) =>
        N8nWorkflowDefinition.FromJson(name, nodes, """{"Webhook":{"main":[[{"node":"Notify","type":"main","index":0}]]}}""", """{"executionOrder":"v1"}""");

    [Fact]
    public async Task Workflows_can_be_created_read_updated_and_toggled()
    {
        var client = Client();

        var created = await client.CreateWorkflowAsync(Definition("Deploy hook"));
        var fetched = await client.GetWorkflowAsync(created.Value.Id);
        var updated = await client.UpdateWorkflowAsync(created.Value.Id, Definition("Deploy hook v2"));
        var activated = await client.ActivateWorkflowAsync(created.Value.Id);
        var activeNow = _fake.IsActive(created.Value.Id);
        var deactivated = await client.DeactivateWorkflowAsync(created.Value.Id);

        Assert.Equal((false, "Deploy hook", 200, "POST /workflows"), (created.Value.Active, created.Value.Name, created.Call.StatusCode, created.Call.Operation));
        Assert.Equal(2, fetched.Value.Nodes.GetArrayLength());
        Assert.Equal("v1", fetched.Value.Settings.GetProperty("executionOrder").GetString());
        Assert.Equal(_clock.GetUtcNow(), fetched.Value.CreatedAt);
        Assert.Equal("Deploy hook v2", updated.Value.Name);
        Assert.NotEqual(created.Value.VersionId, updated.Value.VersionId);
        Assert.True(activated.Value.Active);
        Assert.True(activeNow);
        Assert.False(deactivated.Value.Active);
        Assert.False(_fake.IsActive(created.Value.Id));
        Assert.All(_fake.Exchanges, e => Assert.Equal(ApiKey, e.RequestHeaders[N8nPlatform.ApiKeyHeader]));
    }

    [Fact]
    public async Task Listing_follows_the_cursor_across_pages_and_filters()
    {
        for (var i = 0; i < 5; i++)
        {
            _fake.AddWorkflow($"wf {i}", active: i % 2 == 0, nodesJson: """[{"name":"Cron","type":"n8n-nodes-base.scheduleTrigger","parameters":{}}]""");
        }

        var client = Client();
        var firstPage = await client.ListWorkflowsAsync(new N8nWorkflowQuery(Limit: 2));
        var all = await client.ListAllWorkflowsAsync(new N8nWorkflowQuery(Limit: 2)).ToListAsync();
        var active = await client.ListAllWorkflowsAsync(new N8nWorkflowQuery(Active: true)).ToListAsync();

        Assert.Equal(2, firstPage.Value.Items.Count);
        Assert.NotNull(firstPage.Value.NextCursor);
        Assert.Equal(["wf 0", "wf 1", "wf 2", "wf 3", "wf 4"], all.Select(w => w.Name));
        Assert.Equal(["wf 0", "wf 2", "wf 4"], active.Select(w => w.Name));
        Assert.Contains(_fake.Exchanges, e => e.Query.Contains("cursor=", StringComparison.Ordinal));
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = client.ListWorkflowsAsync(new N8nWorkflowQuery(Limit: 251)); });
    }

    [Fact]
    public async Task Activating_a_workflow_without_a_trigger_is_a_request_error_with_n8ns_reason()
    {
        var id = _fake.AddWorkflow("No trigger", """[{"name":"Set","type":"n8n-nodes-base.set","parameters":{}}]""");

        var error = await Assert.ThrowsAsync<PlatformRequestException>(() => Client().ActivateWorkflowAsync(id));

        Assert.Equal(400, error.StatusCode);
        Assert.Contains("at least one trigger, poller or webhook node is required", error.Message);
        Assert.Single(_fake.Exchanges);
    }

    [Fact]
    public async Task A_wrong_or_missing_api_key_is_an_authentication_error_that_is_not_retried()
    {
        var error = await Assert.ThrowsAsync<PlatformAuthenticationException>(() => Client("n8n_api_wrong_key_000000").GetWorkflowAsync("x"));

        Assert.Equal(401, error.StatusCode);
        Assert.Contains("unauthorized", error.Message);
        Assert.Single(_fake.Exchanges);
        using var anonymous = await _http.GetAsync(new Uri(_fake.BaseAddress, "api/v1/workflows"));
        Assert.Equal("""{"message":"'X-N8N-API-KEY' header required"}""", await anonymous.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unknown_workflows_and_executions_are_not_found()
    {
        var workflow = await Assert.ThrowsAsync<PlatformRequestException>(() => Client().GetWorkflowAsync("nope"));
        var execution = await Assert.ThrowsAsync<PlatformRequestException>(() => Client().GetExecutionAsync("999"));

        Assert.Equal((404, 404), (workflow.StatusCode, execution.StatusCode));
    }

    [Fact]
    public async Task Executions_are_filtered_by_status_and_workflow_and_paged_newest_first()
    {
        var a = _fake.AddWorkflow("A");
        var b = _fake.AddWorkflow("B");
        var failedA1 = _fake.AddExecution(a, "error");
        _fake.AddExecution(a, "success");
        _fake.AddExecution(b, "error");
        var failedA2 = _fake.AddExecution(a, "error");

        var client = Client();
        var failedOfA = await client.ListAllExecutionsAsync(new N8nExecutionQuery(Status: N8nExecutionStatus.Error, WorkflowId: a, Limit: 1)).ToListAsync();
        var one = await client.GetExecutionAsync(failedA1.ToString(), includeData: true);

        Assert.Equal([failedA2.ToString(), failedA1.ToString()], failedOfA.Select(e => e.Id));
        Assert.All(failedOfA, e => Assert.Equal((a, N8nExecutionStatus.Error, false), (e.WorkflowId, e.Status, e.Finished)));
        Assert.Equal((N8nExecutionStatus.Error, "trigger"), (one.Value.Status, one.Value.Mode));
        Assert.Contains(_fake.Exchanges, e => e.Query.Contains("status=error") && e.Query.Contains($"workflowId={a}"));
    }

    [Fact]
    public async Task Failed_executions_can_be_retried_but_successful_ones_cannot()
    {
        var workflow = _fake.AddWorkflow("A");
        var failed = _fake.AddExecution(workflow, "error");
        var succeeded = _fake.AddExecution(workflow, "success");
        var client = Client();

        var retry = await client.RetryExecutionAsync(failed.ToString());
        var refused = await Assert.ThrowsAsync<PlatformRequestException>(() => client.RetryExecutionAsync(succeeded.ToString()));

        Assert.Equal((failed.ToString(), "retry", N8nExecutionStatus.Success), (retry.Value.RetryOf, retry.Value.Mode, retry.Value.Status));
        Assert.Equal(retry.Value.Id, (await client.GetExecutionAsync(failed.ToString())).Value.RetrySuccessId);
        Assert.Equal(409, refused.StatusCode);
        Assert.Contains("cannot be retried", refused.Message);
    }

    [Fact]
    public async Task Unavailable_api_calls_are_retried_after_the_servers_retry_after()
    {
        var id = _fake.AddWorkflow("A");
        _fake.FailNextApiCall(503, "n8n is starting up", retryAfterSeconds: 11);

        var get = Client().GetWorkflowAsync(id);

        Assert.Equal(TimeSpan.FromSeconds(11), await _clock.WhenDelayRequested(d => d != AttemptTimeout).WaitAsync(TimeSpan.FromSeconds(30)));
        _clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal("A", (await get.WaitAsync(TimeSpan.FromSeconds(30))).Value.Name);
        Assert.Equal([503, 200], _fake.Exchanges.Select(e => e.StatusCode));
    }

    [Fact]
    public async Task Creating_is_never_repeated_after_a_transient_failure()
    {
        _fake.FailNextApiCall(502, "Bad Gateway");

        var error = await Assert.ThrowsAsync<PlatformUnavailableException>(() => Client().CreateWorkflowAsync(Definition("Once")));

        Assert.Equal(502, error.StatusCode);
        Assert.Single(_fake.Exchanges);
    }

    [Fact]
    public async Task A_webhook_of_an_active_workflow_starts_an_execution_without_the_api_key()
    {
        var workflow = _fake.AddWorkflow("Hook", WebhookWorkflowNodes, active: true);

        var response = await Client().TriggerWebhookAsync("deploy-done", new JsonObject { ["service"] = "api" });

        Assert.Equal((200, "POST /webhook/{path}"), (response.Call.StatusCode, response.Call.Operation));
        Assert.Contains("Workflow was started", response.Body);
        var execution = Assert.Single(_fake.Executions);
        Assert.Equal((workflow, "webhook", "success"), (execution.WorkflowId, execution.Mode, execution.Status));
        var exchange = Assert.Single(_fake.Exchanges);
        Assert.Equal(("/webhook/deploy-done", """{"service":"api"}"""), (exchange.Path, exchange.RequestBody));
        Assert.False(exchange.RequestHeaders.ContainsKey(N8nPlatform.ApiKeyHeader));
    }

    [Fact]
    public async Task An_unknown_webhook_is_not_found_with_n8ns_hint()
    {
        var error = await Assert.ThrowsAsync<PlatformRequestException>(() => Client().TriggerWebhookAsync("nothing-here"));

        Assert.Equal(404, error.StatusCode);
        Assert.Contains("The requested webhook \"POST nothing-here\" is not registered.", error.Message);
        Assert.Contains("hint: Production webhooks only answer while their workflow is active", error.Message);
    }

    [Fact]
    public async Task A_webhook_called_with_the_wrong_method_says_which_one_it_expects()
    {
        _fake.AddWorkflow("Hook", WebhookWorkflowNodes, active: true);

        var error = await Assert.ThrowsAsync<PlatformRequestException>(() => Client().TriggerWebhookAsync("deploy-done", method: HttpMethod.Get));

        Assert.Contains("Did you mean to make a POST request?", error.Message);
        Assert.Empty(_fake.Executions);
    }

    [Fact]
    public async Task Scripted_webhook_failures_are_typed_and_made_only_once()
    {
        _fake.ScriptWebhook("guarded", N8nWebhookBehavior.Forbidden);
        _fake.ScriptWebhook("stuck", N8nWebhookBehavior.GatewayTimeout);
        var client = Client();

        var forbidden = await Assert.ThrowsAsync<PlatformAuthenticationException>(() => client.TriggerWebhookAsync("guarded"));
        var timeout = await Assert.ThrowsAsync<PlatformUnavailableException>(() => client.TriggerWebhookAsync("stuck"));

        Assert.Equal((403, 504), (forbidden.StatusCode, timeout.StatusCode));
        Assert.Contains("Authorization data is wrong!", forbidden.Message);
        Assert.Equal(2, _fake.Exchanges.Count);
    }

    [Fact]
    public async Task A_hanging_webhook_ends_when_the_caller_cancels()
    {
        _fake.ScriptWebhook("hang", new N8nWebhookBehavior.Hang());
        using var cancellation = new CancellationTokenSource();
        var call = Client().TriggerWebhookAsync("hang", cancellationToken: cancellation.Token);
        await _clock.WhenDelayRequested(d => d == AttemptTimeout).WaitAsync(TimeSpan.FromSeconds(30));

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_hanging_webhook_times_out_after_the_attempt_budget()
    {
        _fake.ScriptWebhook("hang", new N8nWebhookBehavior.Hang());
        var call = Client().TriggerWebhookAsync("hang");
        await _clock.WhenDelayRequested(d => d == AttemptTimeout).WaitAsync(TimeSpan.FromSeconds(30));

        _clock.Advance(AttemptTimeout);

        var error = await Assert.ThrowsAsync<PlatformUnavailableException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Null(error.StatusCode);
    }
}
