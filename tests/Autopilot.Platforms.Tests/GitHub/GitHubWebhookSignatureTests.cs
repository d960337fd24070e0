using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Autopilot.Platforms.GitHub;
using Xunit;

namespace Autopilot.Platforms.Tests.GitHub;

public sealed class GitHubWebhookSignatureTests
{
    private sealed record Vector(string Secret, string Payload, string Header);

    private static Vector Load([CallerFilePath] string source = "")
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(source)!, "Spec", "webhook-signature-test-vector.json")));
        var root = json.RootElement;
        return new Vector(root.GetProperty("secret").GetString()!, root.GetProperty("payload_utf8").GetString()!, root.GetProperty("header_value").GetString()!);
    }

    [Fact]
    public void The_documented_test_vector_verifies()
    {
        var vector = Load();

        Assert.True(GitHubWebhookSignature.Verify(vector.Secret, Encoding.UTF8.GetBytes(vector.Payload), vector.Header));
        Assert.Equal(vector.Header, GitHubWebhookSignature.Compute(vector.Secret, Encoding.UTF8.GetBytes(vector.Payload)));
    }

    [Fact]
    public void A_tampered_body_wrong_secret_or_altered_signature_is_rejected()
    {
        var vector = Load();
        var body = Encoding.UTF8.GetBytes(vector.Payload);
        var flipped = vector.Header[..^1] + (vector.Header[^1] == '0' ? '1' : '0');

        Assert.False(GitHubWebhookSignature.Verify(vector.Secret, Encoding.UTF8.GetBytes(vector.Payload + " "), vector.Header));
        Assert.False(GitHubWebhookSignature.Verify("another secret", body, vector.Header));
        Assert.False(GitHubWebhookSignature.Verify(vector.Secret, body, flipped));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    [InlineData("sha256=757107ea")]
    [InlineData("sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    public void Malformed_headers_are_rejected_not_thrown(string? header)
    {
        Assert.False(GitHubWebhookSignature.Verify("It's a Secret to Everybody", "Hello, World!"u8, header));
    }

    [Fact]
    public void Uppercase_hex_from_a_proxy_still_verifies()
    {
        var vector = Load();

        Assert.True(GitHubWebhookSignature.Verify(vector.Secret, Encoding.UTF8.GetBytes(vector.Payload), "sha256=" + vector.Header[7..].ToUpperInvariant()));
    }
}
