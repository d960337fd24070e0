using Autopilot.Platforms.Tests.Support;
using System.Runtime.CompilerServices;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.N8n;
using Autopilot.Platforms.Redaction;
using Autopilot.Platforms.Tests.Http;
using Autopilot.Platforms.Tests.OpenApi;
using Autopilot.Simulator.Hosting;
using Autopilot.Simulator.N8n;
using Xunit;

namespace Autopilot.Platforms.Tests.N8n;

/// <summary>
/// Every API request the client sends is an operation of n8n's published spec (2.41.3, and 1.99.1 for the
/// operations 1.x already had) with its required parameters and a valid body; every response the fake gives
/// matches the 2.41.3 response schema for its status.
/// </summary>
public sealed class N8nSpecTests
{
    private const string ApiPrefix = "/api/v1";

    private static readonly OpenApiDocument Current = OpenApiDocument.LoadYaml(SpecPath("n8n-2.41.3-public-api-v1.workflows-executions.openapi.yml"));
    private static readonly OpenApiDocument Legacy = OpenApiDocument.LoadYaml(SpecPath("n8n-1.99.1-public-api-v1.openapi.yml"));

    [Fact]
    public async Task Client_requests_and_fake_responses_follow_the_published_spec()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var fake = new N8nFake(clock, N8nClientTests.ApiKey);
        await fake.StartAsync();
        using var http = new HttpClient();
        var client = new N8nClient(http, new N8nClientOptions(fake.BaseAddress, N8nClientTests.ApiKey, PlatformCallOptions.Default with { MaxAttempts = 1 }), new Redactor(), clock, new CapturingLogger());
        await ExerciseEveryCallAsync(client, fake);

        var api = fake.Exchanges.Where(e => e.Path.StartsWith(ApiPrefix, StringComparison.Ordinal)).ToArray();
        var problems = new List<string>();
        foreach (var exchange in api)
        {
            var path = exchange.Path[ApiPrefix.Length..];
            problems.AddRange(Current.CheckRequest(exchange.Method, path, exchange.Query, exchange.RequestBody));
            problems.AddRange(Current.CheckResponse(exchange.Method, path, exchange.StatusCode, exchange.ResponseBody));
            if (Legacy.HasOperation(exchange.Method, path))
            {
                problems.AddRange(Legacy.CheckRequest(exchange.Method, path, exchange.Query, exchange.RequestBody).Select(p => "1.99.1: " + p));
            }
        }

        Assert.Empty(problems);
        Assert.Equal(
            ["GET /executions", "GET /executions/{id}", "GET /workflows", "GET /workflows/{id}", "POST /executions/{id}/retry", "POST /workflows", "POST /workflows/{id}/activate", "POST /workflows/{id}/deactivate", "PUT /workflows/{id}"],
            api.Select(e => $"{e.Method} {Template(e.Path[ApiPrefix.Length..])}").Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(api, e => e.StatusCode == 401);
        Assert.Contains(api, e => e.StatusCode == 404);
        Assert.Contains(api, e => e.StatusCode == 409);
        Assert.Contains(api, e => e.StatusCode == 400);
    }

    [Fact]
    public void The_checker_notices_violations()
    {
        Assert.NotEmpty(Current.CheckRequest("GET", "/workflows", "?limt=5", ""));
        Assert.NotEmpty(Current.CheckRequest("POST", "/workflows", "", """{"name":"x","nodes":[],"connections":{}}"""));
        Assert.NotEmpty(Current.CheckRequest("DELETE", "/executions", "", ""));
        Assert.NotEmpty(Current.CheckResponse("GET", "/executions/1", 200, """{"id":1}"""));
        Assert.NotEmpty(Current.CheckResponse("GET", "/workflows", 418, "{}"));
    }

    private static async Task ExerciseEveryCallAsync(N8nClient client, N8nFake fake)
    {
        var created = await client.CreateWorkflowAsync(N8nWorkflowDefinition.FromJson("Spec", N8nClientTests.WebhookWorkflowNodes, "{}", """{"executionOrder":"v1","timezone":"UTC"}"""));
        var id = created.Value.Id;
        await client.GetWorkflowAsync(id);
        await client.UpdateWorkflowAsync(id, created.Value.ToDefinition() with { Name = "Spec v2" });
        await client.ActivateWorkflowAsync(id);
        fake.AddWorkflow("Other");
        await client.ListAllWorkflowsAsync(new N8nWorkflowQuery(Active: true, Name: "Spec v2", Limit: 1)).ToListAsync();
        await client.ListAllWorkflowsAsync(new N8nWorkflowQuery(Limit: 1)).ToListAsync();
        await client.DeactivateWorkflowAsync(id);
        var failed = fake.AddExecution(id, "error");
        var succeeded = fake.AddExecution(id, "success");
        await client.ListAllExecutionsAsync(new N8nExecutionQuery(Status: N8nExecutionStatus.Error, WorkflowId: id, IncludeData: true, Limit: 1)).ToListAsync();
        await client.ListAllExecutionsAsync(new N8nExecutionQuery(Limit: 1)).ToListAsync();
        await client.GetExecutionAsync(failed.ToString(), includeData: true);
        await client.GetExecutionAsync(succeeded.ToString());
        await client.RetryExecutionAsync(failed.ToString(), loadWorkflow: true);
        await Assert.ThrowsAsync<PlatformRequestException>(() => client.RetryExecutionAsync(succeeded.ToString()));
        await Assert.ThrowsAsync<PlatformRequestException>(() => client.GetWorkflowAsync("missing"));
        await Assert.ThrowsAsync<PlatformRequestException>(() => client.ActivateWorkflowAsync(fake.AddWorkflow("No trigger")));
        var badKey = new N8nClient(new HttpClient(), new N8nClientOptions(fake.BaseAddress, "wrong-key-0000", PlatformCallOptions.Default with { MaxAttempts = 1 }), new Redactor(), new ObservableFakeTimeProvider(), new CapturingLogger());
        await Assert.ThrowsAsync<PlatformAuthenticationException>(() => badKey.ListExecutionsAsync());
    }

    private static string Template(string path) =>
        System.Text.RegularExpressions.Regex.Replace(path, "^/(workflows|executions)/[^/]+", "/$1/{id}");

    private static string SpecPath(string file, [CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Spec", file);
}
