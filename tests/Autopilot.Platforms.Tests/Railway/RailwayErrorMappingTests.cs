using Autopilot.Platforms.Tests.Support;
using System.Net;
using System.Text;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Railway;
using Autopilot.Platforms.Redaction;
using Autopilot.Platforms.Tests.Http;
using Autopilot.Simulator.Hosting;
using Xunit;

namespace Autopilot.Platforms.Tests.Railway;

/// <summary>
/// How the client classifies answers the fake cannot be provoked into by a valid client (a validation failure of
/// the client's own documents, proxy pages). A canned handler plays the server's part.
/// </summary>
public sealed class RailwayErrorMappingTests
{
    private sealed class CannedHandler(HttpStatusCode status, string body) : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }

    private static (RailwayClient Client, CannedHandler Handler) Create(HttpStatusCode status, string body, Redactor? redactor = null)
    {
        var handler = new CannedHandler(status, body);
        var options = new RailwayClientOptions("rw-token-abcdef", RailwayTokenKind.Account)
        {
            Call = RailwayTestBed.CallOptions with { MaxAttempts = 1 },
        };
        return (new RailwayClient(new HttpClient(handler), options, new ObservableFakeTimeProvider(), redactor ?? new Redactor(), new CapturingLogger()), handler);
    }

    [Fact]
    public async Task A_400_validation_failure_becomes_a_graphql_exception_with_its_code()
    {
        const string body = """
            {"errors":[{"message":"Cannot query field \"bogus\" on type \"Deployment\".","locations":[{"line":2,"column":3}],
              "extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}
            """;
        var (client, handler) = Create(HttpStatusCode.BadRequest, body);

        var error = await Assert.ThrowsAsync<RailwayGraphQLException>(() => client.GetDeploymentAsync("d1"));

        Assert.Equal(("GRAPHQL_VALIDATION_FAILED", 400, false), (error.Code, error.StatusCode, error.IsTransient));
        Assert.Empty(error.Path);
        Assert.Contains("Cannot query field", error.Message);
        Assert.Equal(1, handler.Requests);
    }

    [Fact]
    public async Task Variable_values_echoed_in_a_validation_message_are_redacted()
    {
        const string body = """
            {"errors":[{"message":"Variable \"$input\" got invalid value { value: \"hunter2-db-password\" }","extensions":{"code":"BAD_USER_INPUT"}}]}
            """;
        var (client, _) = Create(HttpStatusCode.BadRequest, body);

        var error = await Assert.ThrowsAsync<RailwayGraphQLException>(() =>
            client.UpsertVariableAsync(new VariableUpsert("p", "e", null, "DB_PASSWORD", "hunter2-db-password")));

        Assert.DoesNotContain("hunter2-db-password", error.Message);
        Assert.DoesNotContain("hunter2-db-password", error.Errors[0].Message);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized, typeof(PlatformAuthenticationException))]
    [InlineData(HttpStatusCode.Forbidden, typeof(PlatformAuthenticationException))]
    [InlineData(HttpStatusCode.NotFound, typeof(PlatformRequestException))]
    [InlineData(HttpStatusCode.BadGateway, typeof(PlatformUnavailableException))]
    public async Task Transport_statuses_map_to_the_platform_exception_family(HttpStatusCode status, Type expected)
    {
        var (client, _) = Create(status, "<html>nope</html>");

        var error = await Assert.ThrowsAnyAsync<PlatformException>(() => client.GetDeploymentAsync("d1"));

        Assert.IsType(expected, error);
        Assert.Equal(("railway", (int)status), (error.Platform, error.StatusCode));
    }

    [Fact]
    public async Task A_non_json_success_page_from_a_proxy_is_treated_as_unavailable()
    {
        var (client, _) = Create(HttpStatusCode.OK, "<html>maintenance</html>");

        var error = await Assert.ThrowsAsync<PlatformUnavailableException>(() => client.GetDeploymentAsync("d1"));

        Assert.True(error.IsTransient);
    }
}
