using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Autopilot.Platforms.Railway;
using Autopilot.Simulator.Railway;
using Xunit;

namespace Autopilot.Platforms.Tests.Railway;

/// <summary>The fake answers malformed and unauthorised requests the way Railway does.</summary>
public sealed class RailwayFakeProtocolTests : IAsyncLifetime
{
    private RailwayTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await RailwayTestBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(string query, object? variables = null, string? token = RailwayTestBed.AccountToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _bed.Fake.Endpoint) { Content = JsonContent.Create(new { query, variables }) };
        if (token is not null) request.Headers.Authorization = new("Bearer", token);
        using var response = await _bed.Http.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    [Fact]
    public async Task Unknown_fields_are_a_400_validation_failure()
    {
        var (status, body) = await PostAsync("query { deployment(id: \"x\") { id healthScore } }");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("GRAPHQL_VALIDATION_FAILED", (string?)body["errors"]![0]!["extensions"]!["code"]);
        Assert.Contains("healthScore", (string?)body["errors"]![0]!["message"]);
    }

    [Fact]
    public async Task Unknown_operations_and_undeclared_variables_are_validation_failures()
    {
        var (unknownStatus, _) = await PostAsync("mutation { deploymentRollbackV2(id: \"x\") }");
        var (undeclaredStatus, body) = await PostAsync("query { deployment(id: $id) { id } }", new { id = "x" });

        Assert.Equal(HttpStatusCode.BadRequest, unknownStatus);
        Assert.Equal(HttpStatusCode.BadRequest, undeclaredStatus);
        Assert.Contains("$id", (string?)body["errors"]![0]!["message"]);
    }

    [Fact]
    public async Task Syntax_errors_are_a_400_parse_failure()
    {
        var (status, body) = await PostAsync("query { deployment(id: ) { id } }");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("GRAPHQL_PARSE_FAILED", (string?)body["errors"]![0]!["extensions"]!["code"]);
    }

    [Fact]
    public async Task Missing_credentials_are_a_200_with_null_data_and_not_authorized()
    {
        var (status, body) = await PostAsync("query { deployment(id: \"x\") { id } }", token: null);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Null(body["data"]);
        Assert.Equal("Not Authorized", (string?)body["errors"]![0]!["message"]);
        Assert.Equal("deployment", (string?)body["errors"]![0]!["path"]![0]);
    }

    [Fact]
    public async Task Aliases_fragments_and_typename_shape_the_response()
    {
        var svc = _bed.Service;
        var id = _bed.Fake.SeedDeployment(svc.ServiceId, svc.EnvironmentId, "abc", Autopilot.Platforms.Railway.DeploymentStatus.Success);

        var (status, body) = await PostAsync(
            "query Q($id: String!) { d: deployment(id: $id) { __typename ...F state: status } } fragment F on Deployment { id }", new { id });

        Assert.Equal(HttpStatusCode.OK, status);
        var d = body["data"]!["d"]!.AsObject();
        Assert.Equal(["__typename", "id", "state"], d.Select(p => p.Key));
        Assert.Equal(("Deployment", id, "SUCCESS"), ((string?)d["__typename"], (string?)d["id"], (string?)d["state"]));
    }

    [Fact]
    public async Task A_wrong_typed_variable_is_a_graphql_error_naming_the_variable()
    {
        var (status, body) = await PostAsync(
            "query Q($id: String!, $limit: Int) { buildLogs(deploymentId: $id, limit: $limit) { message } }", new { id = "x", limit = "10" });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("BAD_USER_INPUT", (string?)body["errors"]![0]!["extensions"]!["code"]);
        Assert.Contains("$limit", (string?)body["errors"]![0]!["message"]);
    }

    [Fact]
    public async Task An_unknown_enum_value_is_rejected()
    {
        var (variableStatus, variableBody) = await PostAsync(
            "query Q($input: DeploymentListInput!) { deployments(input: $input) { edges { cursor } } }",
            new { input = new { status = new { @in = new[] { "Success" } } } });
        var (literalStatus, literalBody) = await PostAsync("query { deployments(input: { status: { in: [Success] } }) { edges { cursor } } }");

        Assert.Equal(HttpStatusCode.BadRequest, variableStatus);
        Assert.Contains("Success", (string?)variableBody["errors"]![0]!["message"]);
        Assert.Equal(HttpStatusCode.BadRequest, literalStatus);
        Assert.Equal("GRAPHQL_VALIDATION_FAILED", (string?)literalBody["errors"]![0]!["extensions"]!["code"]);
    }

    [Fact]
    public async Task An_unused_variable_is_rejected()
    {
        var (status, body) = await PostAsync("query Q($id: String!, $extra: Int) { deployment(id: $id) { id } }", new { id = "x", extra = 1 });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("GRAPHQL_VALIDATION_FAILED", (string?)body["errors"]![0]!["extensions"]!["code"]);
        Assert.Contains("$extra", (string?)body["errors"]![0]!["message"]);
    }

    [Fact]
    public async Task A_date_time_without_an_offset_is_rejected()
    {
        var (status, body) = await PostAsync(
            "query Q($id: String!, $d: DateTime) { buildLogs(deploymentId: $id, startDate: $d) { message } }", new { id = "x", d = "2026-01-01T00:00:00" });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("$d", (string?)body["errors"]![0]!["message"]);
    }

    public static TheoryData<DeploymentStatus[]> Walks => new()
    {
        new[] { DeploymentStatus.Waiting, DeploymentStatus.Initializing, DeploymentStatus.Building, DeploymentStatus.Deploying, DeploymentStatus.Success },
        new[] { DeploymentStatus.NeedsApproval },
        new[] { DeploymentStatus.Skipped },
        new[] { DeploymentStatus.Initializing, DeploymentStatus.Building, DeploymentStatus.Deploying, DeploymentStatus.Success, DeploymentStatus.Sleeping },
        new[] { DeploymentStatus.Initializing, DeploymentStatus.Building, DeploymentStatus.Deploying, DeploymentStatus.Success, DeploymentStatus.Removing, DeploymentStatus.Removed },
    };

    [Theory]
    [MemberData(nameof(Walks))]
    public async Task A_scripted_walk_plays_each_status_one_step_at_a_time(DeploymentStatus[] walk)
    {
        var svc = _bed.Service;
        _bed.Fake.ScriptNextDeployment(svc.ServiceId, DeploymentScript.Walk(walk));
        var client = _bed.CreateClient();
        var id = await client.DeployServiceAsync(svc.ServiceId, svc.EnvironmentId, null);

        var seen = new List<DeploymentStatus> { (await client.GetDeploymentAsync(id)).Status };
        for (var i = 0; i < walk.Length + 1; i++)
        {
            _bed.AdvanceSteps(1);
            seen.Add((await client.GetDeploymentAsync(id)).Status);
        }

        Assert.Equal([DeploymentStatus.Queued, .. walk, walk[^1]], seen);
    }
}
