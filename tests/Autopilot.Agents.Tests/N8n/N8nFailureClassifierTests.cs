using Autopilot.Agents.N8n;
using Autopilot.Platforms.Http;
using Xunit;

namespace Autopilot.Agents.Tests.N8n;

public sealed class N8nFailureClassifierTests
{
    private static PlatformCall Call(int status, string body, double seconds = 0.2) =>
        new("n8n", "POST /webhook/{path}", status, TimeSpan.FromSeconds(seconds), body);

    [Fact]
    public void A_slow_call_is_an_execution_timeout_whatever_its_status_and_body_say()
    {
        Assert.Equal(N8nFailureKind.ExecutionTimeout, N8nFailureClassifier.Classify(Call(403, "Authorization data is wrong!", 31)));
        Assert.Equal(N8nFailureKind.ExecutionTimeout, N8nFailureClassifier.Classify(Call(200, "ok", 30.5)));
    }

    [Fact]
    public void Exactly_the_timeout_is_not_over_it()
    {
        Assert.Equal(N8nFailureKind.None, N8nFailureClassifier.Classify(Call(200, "Workflow was started", 30)));
    }

    [Fact]
    public void The_execution_timeout_can_be_configured()
    {
        Assert.Equal(N8nFailureKind.ExecutionTimeout, N8nFailureClassifier.Classify(Call(200, "ok", 6), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Status_403_beats_a_gateway_body_and_504_beats_an_auth_body()
    {
        Assert.Equal(N8nFailureKind.AuthFailure, N8nFailureClassifier.Classify(Call(403, "gateway timeout")));
        Assert.Equal(N8nFailureKind.GatewayTimeout, N8nFailureClassifier.Classify(Call(504, "auth proxy says no")));
    }

    [Theory]
    [InlineData("Authorization failed for webhook, error 17", N8nFailureKind.AuthFailure)]
    [InlineData("Gateway error in webhook", N8nFailureKind.GatewayTimeout)]
    [InlineData("request TIMEOUT while calling webhook", N8nFailureKind.GatewayTimeout)]
    [InlineData("webhook \"x\" is not registered: error", N8nFailureKind.WebhookFailure)]
    [InlineData("Internal error in node Set", N8nFailureKind.GenericError)]
    public void Body_keywords_are_checked_in_priority_order(string body, N8nFailureKind expected)
    {
        Assert.Equal(expected, N8nFailureClassifier.Classify(Call(200, body)));
    }

    [Fact]
    public void A_plain_2xx_is_a_success_and_a_wordless_error_status_is_not()
    {
        Assert.Equal(N8nFailureKind.None, N8nFailureClassifier.Classify(Call(200, """{"message":"Workflow was started"}""")));
        Assert.Equal(N8nFailureKind.GenericError, N8nFailureClassifier.Classify(Call(404, "not found")));
        Assert.Equal(N8nFailureKind.GenericError, N8nFailureClassifier.Classify(Call(0, "connection refused")));
    }
}
