using Autopilot.Platforms.Tests.Support;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;
using Autopilot.Platforms.Secrets;
using Autopilot.Platforms.Secrets.Gcp;
using Autopilot.Platforms.Tests.Http;
using Autopilot.Platforms.Tests.OpenApi;
using Autopilot.Simulator.Gcp;
using Autopilot.Simulator.Hosting;
using Xunit;

namespace Autopilot.Platforms.Tests.Secrets;

/// <summary>
/// Secret Manager requests match the discovery document's <c>versions.access</c> method (HTTP method and
/// flat path), responses match <c>AccessSecretVersionResponse</c>, and errors use Google's envelope.
/// </summary>
public sealed class SecretManagerSpecTests
{
    private static readonly JsonNode Discovery = JsonNode.Parse(File.ReadAllText(SpecPath("secretmanager-v1-access.discovery-subset.json")))!;

    [Fact]
    public async Task Access_requests_and_responses_follow_the_discovery_document()
    {
        var clock = new ObservableFakeTimeProvider();
        await using var fake = new SecretManagerFake(clock);
        await fake.StartAsync();
        using var http = new HttpClient();
        var redactor = new Redactor();
        var resilience = new PlatformResilience(GcpPlatform.Name, PlatformCallOptions.Default with { MaxAttempts = 1 }, clock, redactor, new CapturingLogger());
        var tokens = new MetadataServerTokenSource(http, resilience, redactor, clock, fake.BaseAddress);
        fake.AddSecretVersion("proj-1", "present", "value-1");
        fake.DenyAccess("proj-1", "denied");
        foreach (var version in new[] { "latest", "1", "2" })
        {
            var provider = new GcpSecretManagerProvider(http, tokens, new GcpSecretManagerOptions("proj-1", version, fake.BaseAddress), resilience, redactor, clock, new CapturingLogger());
            await provider.TryFetchAsync(SecretName.Parse("present"), default);
            await provider.TryFetchAsync(SecretName.Parse("absent"), default);
            await Assert.ThrowsAsync<PlatformAuthenticationException>(() => provider.TryFetchAsync(SecretName.Parse("denied"), default).AsTask());
        }

        var access = Discovery["resources"]!["projects"]!["resources"]!["secrets"]!["resources"]!["versions"]!["methods"]!["access"]!;
        var pattern = new Regex("^/" + Regex.Replace(Regex.Escape(access["flatPath"]!.GetValue<string>()), @"\\\{[^/]+?}", "[^/:]+") + "$");
        var validator = new JsonSchemaValidator(name => Discovery["schemas"]![name]!);
        var exchanges = fake.Exchanges.Where(e => e.Path.StartsWith("/v1/", StringComparison.Ordinal)).ToArray();
        Assert.Equal(9, exchanges.Length);
        foreach (var exchange in exchanges)
        {
            Assert.Equal(access["httpMethod"]!.GetValue<string>(), exchange.Method);
            Assert.Matches(pattern, exchange.Path);
            Assert.Equal("", exchange.Query);
            var body = JsonNode.Parse(exchange.ResponseBody)!;
            if (exchange.StatusCode == 200)
            {
                Assert.Empty(validator.Validate(body, Discovery["schemas"]![access["response"]!["$ref"]!.GetValue<string>()]!));
                Assert.NotNull(body["payload"]?["data"]);
            }
            else
            {
                var error = body["error"]!;
                Assert.Equal(exchange.StatusCode, (int)error["code"]!);
                Assert.Equal(exchange.StatusCode == 404 ? "NOT_FOUND" : "PERMISSION_DENIED", (string)error["status"]!);
                Assert.False(string.IsNullOrEmpty((string?)error["message"]));
            }
        }

        Assert.Equal([200, 403, 404], exchanges.Select(e => e.StatusCode).Distinct().Order());
    }

    private static string SpecPath(string file, [CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Spec", file);
}
