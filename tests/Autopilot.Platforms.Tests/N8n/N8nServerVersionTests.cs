using System.Runtime.CompilerServices;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.N8n;
using Autopilot.Platforms.Redaction;
using Autopilot.Platforms.Tests.Http;
using Autopilot.Platforms.Tests.OpenApi;
using Autopilot.Platforms.Tests.Support;
using Autopilot.Simulator.N8n;
using Xunit;

namespace Autopilot.Platforms.Tests.N8n;

/// <summary>
/// The executions status filter per n8n release: the client sends only what the release's spec accepts (1.99:
/// error, success, waiting) and filters the rest itself; the fake plays 1.99 or 2.41 as their specs say.
/// </summary>
public sealed class N8nServerVersionTests
{
    private static readonly OpenApiDocument Spec241 = OpenApiDocument.LoadYaml(SpecPath("n8n-2.41.3-public-api-v1.workflows-executions.openapi.yml"));
    private static readonly OpenApiDocument Spec199 = OpenApiDocument.LoadYaml(SpecPath("n8n-1.99.1-public-api-v1.openapi.yml"));

    public static TheoryData<N8nFakeVersion, N8nExecutionStatus> EveryStatusOnEveryVersion()
    {
        var data = new TheoryData<N8nFakeVersion, N8nExecutionStatus>();
        foreach (var version in Enum.GetValues<N8nFakeVersion>())
        {
            foreach (var status in Enum.GetValues<N8nExecutionStatus>()) data.Add(version, status);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryStatusOnEveryVersion))]
    public async Task Every_status_filter_works_and_sends_only_what_the_release_accepts(N8nFakeVersion version, N8nExecutionStatus status)
    {
        var clock = new ObservableFakeTimeProvider();
        await using var fake = new N8nFake(clock, N8nClientTests.ApiKey, version);
        await fake.StartAsync();
        var workflow = fake.AddWorkflow("W");
        foreach (var stored in new[] { "error", "success", "waiting", "running", "canceled", "crashed", "new", "unknown" }) fake.AddExecution(workflow, stored);
        using var http = new HttpClient();
        var options = new N8nClientOptions(fake.BaseAddress, N8nClientTests.ApiKey, PlatformCallOptions.Default with { MaxAttempts = 1 })
        {
            ServerVersion = version == N8nFakeVersion.V1_99 ? N8nClientOptions.N8n1 : N8nClientOptions.N8n2,
        };
        var client = new N8nClient(http, options, new Redactor(), clock, new CapturingLogger());

        var page = await client.ListExecutionsAsync(new N8nExecutionQuery(Status: status));

        var found = Assert.Single(page.Value.Items);
        Assert.Equal(status, found.Status);
        var spec = version == N8nFakeVersion.V1_99 ? Spec199 : Spec241;
        var request = Assert.Single(fake.Exchanges, e => e.Path == "/api/v1/executions");
        Assert.Empty(spec.CheckRequest("GET", "/executions", request.Query, request.RequestBody));
        var serverSide = version == N8nFakeVersion.V2_41 || status is N8nExecutionStatus.Error or N8nExecutionStatus.Success or N8nExecutionStatus.Waiting;
        Assert.Equal(serverSide, request.Query.Contains("status="));
    }

    [Fact]
    public async Task A_1_99_server_refuses_the_statuses_its_spec_does_not_list_and_has_no_retry()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var fake = new N8nFake(clock, N8nClientTests.ApiKey, N8nFakeVersion.V1_99);
        await fake.StartAsync();
        var failed = fake.AddExecution(fake.AddWorkflow("W"), "error");
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add("X-N8N-API-KEY", N8nClientTests.ApiKey);

        using var running = await http.GetAsync(new Uri(fake.BaseAddress, "api/v1/executions?status=running"));
        using var retry = await http.PostAsync(new Uri(fake.BaseAddress, $"api/v1/executions/{failed}/retry"), null);

        Assert.Equal(400, (int)running.StatusCode);
        Assert.Contains("error, success, waiting", await running.Content.ReadAsStringAsync());
        Assert.Equal(404, (int)retry.StatusCode);
        Assert.NotEmpty(Spec199.CheckRequest("GET", "/executions", "?status=running", ""));
    }

    private static string SpecPath(string file, [CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Spec", file);
}
