using Xunit;
using Autopilot.Platforms.Redaction;

namespace Autopilot.Platforms.Tests.Redaction;

public sealed class RedactorTests
{
    [Fact]
    public void Registered_secret_is_masked_wherever_it_appears()
    {
        var redactor = new Redactor();
        redactor.Register("s3cr3t-value-123");

        var result = redactor.Redact("prefix s3cr3t-value-123 middle(s3cr3t-value-123)end");

        Assert.DoesNotContain("s3cr3t-value-123", result);
        Assert.Equal($"prefix {Redactor.Mask} middle({Redactor.Mask})end", result);
    }

    [Fact]
    public void Longer_secret_containing_a_shorter_one_is_masked_whole()
    {
        var redactor = new Redactor();
        redactor.Register("abcd");
        redactor.Register("abcdefgh-long");

        Assert.Equal($"x {Redactor.Mask} y", redactor.Redact("x abcdefgh-long y"));
    }

    [Fact]
    public void Values_too_short_to_be_secrets_are_not_registered()
    {
        var redactor = new Redactor();
        redactor.Register("ab");
        redactor.Register("");
        redactor.Register(null);

        Assert.Equal("a lab about ab", redactor.Redact("a lab about ab"));
    }

    [Theory]
    [InlineData("api_key=AKIA1234", "AKIA1234")]
    [InlineData("apiKey: hunter22", "hunter22")]
    [InlineData("API-KEY = zzz999", "zzz999")]
    [InlineData("password=correct-horse", "correct-horse")]
    [InlineData("{\"access_token\":\"ghs_abcdef123\"}", "ghs_abcdef123")]
    [InlineData("{\"token\": \"with spaces inside\"}", "with spaces inside")]
    [InlineData("client_secret: 'quoted value'", "quoted value")]
    [InlineData("Authorization: Bearer eyJhbGciOi.xyz.abc", "eyJhbGciOi.xyz.abc")]
    [InlineData("authorization: token ghp_99999", "ghp_99999")]
    [InlineData("sent with bearer abc.def.ghi to server", "abc.def.ghi")]
    [InlineData("Project-Access-Token: 7f1c2a9b-0000", "7f1c2a9b-0000")]
    public void Secret_shaped_values_are_masked_without_registration(string text, string secret)
    {
        var result = new Redactor().Redact(text);

        Assert.DoesNotContain(secret, result);
        Assert.Contains(Redactor.Mask, result);
    }

    [Fact]
    public void Pem_private_key_blocks_are_masked()
    {
        const string pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nqwerty\n-----END RSA PRIVATE KEY-----";

        var result = new Redactor().Redact($"key was {pem} loaded");

        Assert.Equal($"key was {Redactor.Mask} loaded", result);
    }

    [Fact]
    public void Ordinary_text_is_left_alone()
    {
        const string text = "Deployment 42 of service web failed: build exited with code 1";

        Assert.Equal(text, new Redactor().Redact(text));
    }

    [Fact]
    public void Snippet_redacts_before_truncating_so_a_cut_secret_cannot_leak()
    {
        var redactor = new Redactor();
        redactor.Register("SECRETSECRETSECRET");

        // Truncating first would leave "SECRETSEC", which no longer matches the registered value.
        var snippet = redactor.Snippet("0123456789SECRETSECRETSECRET tail", 20);

        Assert.DoesNotContain("SECRET", snippet);
        Assert.Equal($"0123456789{Redactor.Mask}…", snippet);
    }

    [Fact]
    public void Snippet_keeps_short_bodies_whole()
    {
        Assert.Equal("ok", new Redactor().Snippet("ok", 100));
        Assert.Equal("", new Redactor().Snippet(null, 100));
    }

    [Fact]
    public async Task Concurrent_registration_loses_no_secret()
    {
        var redactor = new Redactor();
        var secrets = Enumerable.Range(0, 200).Select(i => $"secret-number-{i:D4}").ToArray();

        await Task.WhenAll(secrets.Select(s => Task.Run(() => redactor.Register(s))));

        var result = redactor.Redact(string.Join(" ", secrets));
        Assert.DoesNotContain("secret-number", result);
    }
}
