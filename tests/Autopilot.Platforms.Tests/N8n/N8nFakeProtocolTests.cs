using Autopilot.Platforms.Tests.Support;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Autopilot.Simulator.Hosting;
using Autopilot.Simulator.N8n;
using Xunit;

namespace Autopilot.Platforms.Tests.N8n;

/// <summary>Malformed requests get n8n's status and <c>{"message"}</c>, whatever client sends them.</summary>
public sealed class N8nFakeProtocolTests : IAsyncLifetime
{
    private readonly N8nFake _fake = new(new ObservableFakeTimeProvider(), N8nClientTests.ApiKey);
    private readonly HttpClient _http = new();

    public Task InitializeAsync() => _fake.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _fake.DisposeAsync();
    }

    [Theory]
    [InlineData("POST", "api/v1/workflows", """{"name":"x","nodes":[],"connections":{}}""", 400, "request/body must have required property 'settings'")]
    [InlineData("POST", "api/v1/workflows", """{"name":"x","nodes":[],"connections":{},"settings":{},"active":true}""", 400, "request/body must NOT have additional properties (found 'active')")]
    [InlineData("POST", "api/v1/workflows", """{"name":"x","nodes":[{"bogus":1}],"connections":{},"settings":{}}""", 400, "request/body/nodes/0 must NOT have additional properties (found 'bogus')")]
    [InlineData("POST", "api/v1/workflows", "not json", 400, "request/body must be object")]
    [InlineData("GET", "api/v1/workflows?limit=300", null, 400, "request/query/limit must be <= 250")]
    [InlineData("GET", "api/v1/executions?cursor=garbage", null, 400, "An invalid cursor was provided")]
    [InlineData("GET", "api/v1/executions?status=exploded", null, 400, "request/query/status must be equal to one of the allowed values: canceled, crashed, error, new, running, success, unknown, waiting")]
    [InlineData("GET", "api/v1/executions/abc", null, 400, "request/params/id must be integer")]
    [InlineData("GET", "api/v1/credentials", null, 404, "not found")]
    public async Task Malformed_requests_get_n8ns_status_and_message(string method, string path, string? body, int status, string message)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(_fake.BaseAddress, path));
        request.Headers.Add("X-N8N-API-KEY", N8nClientTests.ApiKey);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request);

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal(message, (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!);
    }
}
