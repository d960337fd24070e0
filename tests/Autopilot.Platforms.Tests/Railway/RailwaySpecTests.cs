using System.Text.Json.Nodes;
using Autopilot.Platforms.Railway;
using Autopilot.Simulator.Railway;
using Xunit;

namespace Autopilot.Platforms.Tests.Railway;

/// <summary>
/// Every document the client can send is checked against Railway's published schema, so a renamed field or an
/// operation that only exists in someone's notes fails here rather than in production.
/// </summary>
public sealed class RailwaySpecTests
{
    private static readonly string[] ClientRootFields =
    [
        "deployment", "deployments", "buildLogs", "deploymentLogs", "metrics",
        "serviceInstanceDeployV2", "serviceInstanceRedeploy", "deploymentRedeploy", "deploymentRollback",
        "deploymentRestart", "deploymentStop", "deploymentCancel", "variableUpsert",
    ];

    [Fact]
    public async Task Every_request_the_client_sends_is_valid_against_the_published_schema()
    {
        await using var bed = await RailwayTestBed.StartAsync();
        var client = bed.CreateClient();
        var svc = bed.Service;
        var now = bed.Clock.GetUtcNow();

        // A tour through every public operation, with optional arguments both set and unset.
        var good = bed.Fake.SeedDeployment(svc.ServiceId, svc.EnvironmentId, "good", DeploymentStatus.Success, now.AddHours(-1));
        bed.Fake.ScriptNextDeployment(svc.ServiceId, DeploymentScript.Crash("oom"));
        var id = await client.DeployServiceAsync(svc.ServiceId, svc.EnvironmentId, "sha1");
        bed.AdvanceSteps(5);
        await client.GetDeploymentAsync(id);
        await client.RestartAsync(id);
        await client.DeployServiceAsync(svc.ServiceId, svc.EnvironmentId, null);
        await client.ListDeploymentsAsync(new DeploymentFilter { ProjectId = svc.ProjectId, StatusNotIn = [DeploymentStatus.Removed], IncludeDeleted = false }, 2);
        await foreach (var _ in client.ListAllDeploymentsAsync(new DeploymentFilter { ServiceId = svc.ServiceId, EnvironmentId = svc.EnvironmentId }, 1)) { }
        await client.FindLastSuccessfulDeploymentAsync(svc.ServiceId, svc.EnvironmentId);
        await client.GetBuildLogsAsync(id);
        await client.GetBuildLogsAsync(id, new LogQuery { Limit = 10, Filter = "error", StartDate = now.AddHours(-1), EndDate = bed.Clock.GetUtcNow() });
        await client.GetDeploymentLogsAsync(id, new LogQuery { Limit = 5 });
        await client.GetMetricsAsync(new MetricsQuery(now.AddMinutes(-10), [RailwayMetricMeasurement.CpuUsage, RailwayMetricMeasurement.MemoryUsageGb])
        {
            ServiceId = svc.ServiceId, EnvironmentId = svc.EnvironmentId, ProjectId = svc.ProjectId, EndDate = now,
            SampleRateSeconds = 60, AveragingWindowSeconds = 120,
        });
        await client.RedeployAsync(id);
        await client.RedeployServiceAsync(svc.ServiceId, svc.EnvironmentId);
        await client.RollbackAsync(good);
        bed.Fake.ScriptNextDeployment(svc.ServiceId, DeploymentScript.Hang());
        var hung = await client.DeployServiceAsync(svc.ServiceId, svc.EnvironmentId, null);
        await client.CancelAsync(hung);
        bed.AdvanceSteps(5);
        var running = await client.FindLastSuccessfulDeploymentAsync(svc.ServiceId, svc.EnvironmentId);
        await client.StopAsync(running!.Id);
        await client.UpsertVariableAsync(new VariableUpsert(svc.ProjectId, svc.EnvironmentId, svc.ServiceId, "A", "1", SkipDeploys: true));
        await client.UpsertVariableAsync(new VariableUpsert(svc.ProjectId, svc.EnvironmentId, null, "SHARED", "2"));

        var calls = bed.Fake.Calls;
        Assert.Equal(ClientRootFields.Order(), calls.SelectMany(c => c.RootFields).Distinct().Order());
        foreach (var call in calls)
        {
            var problems = await PublishedRailwaySchema.ValidateAsync(call.Document, call.Variables, call.OperationName);
            Assert.True(problems.Count == 0, $"{call.OperationName}: {string.Join("; ", problems)}");
        }
    }

    [Theory]
    [InlineData("query Q($id: String!) { deployment(id: $id) { id health } }", "health")]
    [InlineData("mutation M($id: String!) { deploymentRollbackV2(id: $id) }", "deploymentRollbackV2")]
    [InlineData("mutation M($id: String!) { deploymentRollback(id: $id) { id } }", "deploymentRollback")]
    [InlineData("query Q($id: String!) { deployment(id: $id) }", "deployment")]
    [InlineData("query Q($id: Int!) { deployment(id: $id) { id } }", "$id")]
    [InlineData("query Q($id: String) { deployment(id: $id) { id } }", "$id")]
    [InlineData("query Q { deployment(id: \"x\", force: true) { id } }", "force")]
    [InlineData("query Q { deployment { id } }", "id")]
    [InlineData("query Q { deployments(input: { status: { in: [HEALTHY] } }) { edges { cursor } } }", "HEALTHY")]
    [InlineData("query Q { deployments(input: { team: \"x\" }) { edges { cursor } } }", "team")]
    [InlineData("query Q($id: String!, $x: Int) { deployment(id: $id) { id } }", "$x")]
    [InlineData("query Q { deployment(id: $id) { id } }", "$id")]
    [InlineData("query Q($id: String!) { deployment(id: $id) { ...F } } fragment F on Service { id }", "F")]
    [InlineData("query Q($id: String!) { deployment(id: $id) { id }", "Syntax")]
    public async Task The_validator_rejects_documents_outside_the_schema(string document, string named)
    {
        var problems = await PublishedRailwaySchema.ValidateAsync(document, new JsonObject { ["id"] = "d1" });

        Assert.Contains(problems, p => p.Contains(named));
    }

    [Theory]
    [InlineData("{\"input\": {\"status\": {\"in\": [\"HEALTHY\"]}}}", "$input.status.in[0]")]
    [InlineData("{\"input\": {\"status\": {\"in\": [\"Success\"]}}}", "$input.status.in[0]")]
    [InlineData("{\"input\": {\"serviceId\": 42}}", "$input.serviceId")]
    [InlineData("{}", "$input")]
    public async Task The_validator_checks_variable_values_against_their_types(string variables, string named)
    {
        const string document = "query Q($input: DeploymentListInput!) { deployments(input: $input) { edges { cursor } } }";

        var problems = await PublishedRailwaySchema.ValidateAsync(document, JsonNode.Parse(variables)!.AsObject());

        Assert.Contains(problems, p => p.Contains(named));
    }

    [Fact]
    public async Task The_validator_requires_required_input_fields()
    {
        const string document = "mutation M($input: VariableUpsertInput!) { variableUpsert(input: $input) }";

        var problems = await PublishedRailwaySchema.ValidateAsync(document, JsonNode.Parse("""{"input": {"name": "A", "value": "1", "projectId": "p"}}""")!.AsObject());

        Assert.Contains(problems, p => p.Contains("environmentId"));
    }

    [Theory]
    [InlineData("2026-01-02T03:04:05Z", true)]
    [InlineData("2026-01-02T03:04:05.123+02:00", true)]
    [InlineData("2026-01-02T03:04:05", false)]
    [InlineData("yesterday", false)]
    public async Task DateTime_variables_need_an_explicit_offset(string value, bool valid)
    {
        const string document = "query Q($id: String!, $d: DateTime) { buildLogs(deploymentId: $id, startDate: $d) { message } }";

        var problems = await PublishedRailwaySchema.ValidateAsync(document, new JsonObject { ["id"] = "x", ["d"] = value });

        Assert.Equal(valid, problems.Count == 0);
    }

    [Fact]
    public async Task A_request_outside_the_schema_never_leaves_a_test_beds_client()
    {
        await using var bed = await RailwayTestBed.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, bed.Fake.Endpoint)
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { query = "query Q($id: String!, $limit: Int) { deployment(id: $id) { id } }", variables = new { id = "x", limit = "10" } }),
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => bed.ClientHttp.SendAsync(request));

        Assert.Contains("$limit", error.Message);
        Assert.Empty(bed.Fake.Calls);
    }
}
