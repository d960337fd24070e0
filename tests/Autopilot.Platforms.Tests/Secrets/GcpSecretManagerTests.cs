using Autopilot.Platforms.Tests.Support;
using System.Text;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;
using Autopilot.Platforms.Secrets;
using Autopilot.Platforms.Secrets.Gcp;
using Autopilot.Platforms.Tests.Http;
using Autopilot.Simulator.Gcp;
using Autopilot.Simulator.Hosting;
using Xunit;

namespace Autopilot.Platforms.Tests.Secrets;

public sealed class GcpSecretManagerTests : IAsyncLifetime
{
    private const string Project = "autopilot-prod";
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(97);

    private readonly ObservableFakeTimeProvider _clock = new();
    private readonly CapturingLogger _logger = new();
    private readonly Redactor _redactor = new();
    private readonly SecretManagerFake _fake;
    private readonly HttpClient _http = new();

    public GcpSecretManagerTests() => _fake = new SecretManagerFake(_clock);

    public Task InitializeAsync() => _fake.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _fake.DisposeAsync();
    }

    private PlatformResilience Resilience() =>
        new(GcpPlatform.Name, new PlatformCallOptions(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), AttemptTimeout, TimeSpan.FromMinutes(2)), _clock, _redactor, _logger);

    private MetadataServerTokenSource Metadata() => new(_http, Resilience(), _redactor, _clock, _fake.BaseAddress);

    private GcpSecretManagerProvider Provider(IGoogleAccessTokenSource tokens, string version = "latest") =>
        new(_http, tokens, new GcpSecretManagerOptions(Project, version, _fake.BaseAddress), Resilience(), _redactor, _clock, _logger);

    [Fact]
    public void Crc32c_matches_the_standard_check_value()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public async Task Secrets_are_read_with_a_metadata_server_token_that_is_reused_until_it_nears_expiry()
    {
        _fake.AddSecretVersion(Project, "n8n-api-key", "old-n8n-key");
        _fake.AddSecretVersion(Project, "n8n-api-key", "current-n8n-key");
        _fake.AddSecretVersion(Project, "telegram-token", "123:telegram-value");
        var provider = Provider(Metadata());

        Assert.Equal("current-n8n-key", await provider.TryFetchAsync(SecretName.Parse("n8n-api-key"), default));
        Assert.Equal("123:telegram-value", await provider.TryFetchAsync(SecretName.Parse("telegram-token"), default));
        Assert.Equal("old-n8n-key", await Provider(Metadata(), version: "1").TryFetchAsync(SecretName.Parse("n8n-api-key"), default));
        // One token per token source (two sources above), despite three secret reads.
        Assert.Equal(2, _fake.Exchanges.Count(e => e.Path.StartsWith("/computeMetadata", StringComparison.Ordinal) && e.RequestHeaders["Metadata-Flavor"] == "Google"));

        _clock.Advance(TimeSpan.FromMinutes(59));
        await provider.TryFetchAsync(SecretName.Parse("telegram-token"), default);

        Assert.Equal(3, _fake.Exchanges.Count(e => e.Path.StartsWith("/computeMetadata", StringComparison.Ordinal)));
        Assert.Contains(_fake.Exchanges, e => e.Path == $"/v1/projects/{Project}/secrets/n8n-api-key/versions/latest:access" && e.RequestHeaders["Authorization"].StartsWith("Bearer ya29.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_service_account_key_is_exchanged_through_a_signed_jwt_bearer_grant()
    {
        var key = ServiceAccountKey.Parse(_fake.CreateServiceAccountKey("autopilot@autopilot-prod.iam.gserviceaccount.com", Project));
        _fake.AddSecretVersion(Project, "railway-token", "railway-secret-value");
        using var tokens = new ServiceAccountTokenSource(_http, key, Resilience(), _redactor, _clock);

        var value = await Provider(tokens).TryFetchAsync(SecretName.Parse("railway-token"), default);

        Assert.Equal("railway-secret-value", value);
        var claims = Assert.Single(_fake.VerifiedAssertions);
        Assert.Equal(key.ClientEmail, (string)claims["iss"]!);
        Assert.Equal("https://oauth2.googleapis.com/token", (string)claims["aud"]!); // Google.Apis.Auth signs for Google's token endpoint
        Assert.Equal(GcpPlatform.CloudPlatformScope, (string)claims["scope"]!);
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeSeconds(), (long)claims["iat"]!);
        Assert.Equal(3600, (long)claims["exp"]! - (long)claims["iat"]!);
        var grant = Assert.Single(_fake.Exchanges, e => e.Path == "/token");
        Assert.Contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer", grant.RequestBody);
        Assert.DoesNotContain(key.PrivateKeyPem, key.ToString());
    }

    [Fact]
    public async Task A_workload_identity_federation_file_exchanges_its_subject_token_at_sts()
    {
        var subjectTokenFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(subjectTokenFile, "eyJoidc.subject.token");
            _fake.AddWorkloadIdentity("eyJoidc.subject.token");
            _fake.AddSecretVersion(Project, "n8n-api-key", "n8n-secret-value");
            var tokens = GoogleCredentialTokenSource.FromCredentialJson(_http, _fake.CreateExternalAccountFile(subjectTokenFile), "external_account", Resilience(), _redactor, _clock);

            var value = await Provider(tokens).TryFetchAsync(SecretName.Parse("n8n-api-key"), default);

            Assert.Equal("n8n-secret-value", value);
            var exchange = Assert.Single(_fake.Exchanges, e => e.Path == "/sts/v1/token");
            Assert.Contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange", exchange.RequestBody);

            await File.WriteAllTextAsync(subjectTokenFile, "eyJsomeone.else");
            var refused = GoogleCredentialTokenSource.FromCredentialJson(_http, _fake.CreateExternalAccountFile(subjectTokenFile), "external_account", Resilience(), _redactor, _clock);
            var error = await Assert.ThrowsAsync<PlatformAuthenticationException>(() => refused.GetTokenAsync(default).AsTask());
            Assert.Contains("invalid_grant", error.Message);
        }
        finally
        {
            File.Delete(subjectTokenFile);
        }
    }

    [Fact]
    public void A_credential_file_of_the_wrong_type_is_refused_without_quoting_it()
    {
        var key = _fake.CreateServiceAccountKey("autopilot@autopilot-prod.iam.gserviceaccount.com", Project);

        var error = Assert.Throws<FormatException>(() => GoogleCredentialTokenSource.FromCredentialJson(_http, key, "external_account", Resilience(), _redactor, _clock));

        Assert.DoesNotContain("PRIVATE KEY", error.Message);
    }

    [Fact]
    public async Task A_key_google_does_not_know_is_an_authentication_failure()
    {
        var unknown = ServiceAccountKey.Parse(_fake.CreateServiceAccountKey("real@x.iam.gserviceaccount.com", Project)) with { ClientEmail = "impostor@x.iam.gserviceaccount.com" };
        using var tokens = new ServiceAccountTokenSource(_http, unknown, Resilience(), _redactor, _clock);

        var error = await Assert.ThrowsAsync<PlatformAuthenticationException>(() => tokens.GetTokenAsync(default).AsTask());

        Assert.Contains("invalid_grant", error.Message);
        Assert.Contains("Invalid JWT Signature.", error.Message);
    }

    [Fact]
    public void Broken_key_files_are_refused_without_quoting_them()
    {
        Assert.Throws<FormatException>(() => ServiceAccountKey.Parse("""{"type":"service_account","client_email":"a@b"}"""));
        var notRsa = Assert.Throws<FormatException>(() => new ServiceAccountTokenSource(_http, new ServiceAccountKey("a@b", "k1", "not-a-pem-secret-material", new Uri("https://oauth2.googleapis.com/token"), null), Resilience(), _redactor, _clock));
        Assert.DoesNotContain("not-a-pem-secret-material", notRsa.Message);
    }

    [Fact]
    public async Task An_access_token_from_the_environment_is_used_as_is()
    {
        var token = _fake.IssueAccessToken();
        _fake.AddSecretVersion(Project, "api-key", "value-via-env-token");
        var tokens = new EnvironmentAccessTokenSource(_redactor, readVariable: name => name == EnvironmentAccessTokenSource.DefaultVariable ? token : null);

        Assert.Equal("value-via-env-token", await Provider(tokens).TryFetchAsync(SecretName.Parse("api-key"), default));
        await Assert.ThrowsAsync<PlatformAuthenticationException>(() => new EnvironmentAccessTokenSource(_redactor, readVariable: _ => null).GetTokenAsync(default).AsTask());
    }

    [Fact]
    public async Task A_missing_secret_falls_through_to_the_next_provider_but_a_denied_one_stops_the_search()
    {
        _fake.DenyAccess(Project, "denied");
        var fallback = new EnvironmentSecretProvider("", name => name is "ABSENT" or "DENIED" ? "from-env-fallback" : null);
        var store = new SecretStore([Provider(Metadata()), fallback], _redactor, timeProvider: _clock);

        Assert.Equal("from-env-fallback", await store.GetAsync("absent"));
        var denied = await Assert.ThrowsAsync<PlatformAuthenticationException>(() => store.GetAsync("denied"));
        Assert.Equal(403, denied.StatusCode);
        Assert.Contains("PERMISSION_DENIED", denied.Message);
        var missing = await Assert.ThrowsAsync<SecretNotFoundException>(() => store.GetAsync("nowhere"));
        Assert.Contains($"GCP Secret Manager project {Project}", missing.Message);
    }

    [Fact]
    public async Task A_payload_corrupted_in_transit_is_detected_and_fetched_again()
    {
        _fake.AddSecretVersion(Project, "api-key", "intact-value");
        _fake.CorruptNextPayloads(1);

        var fetch = Provider(Metadata()).TryFetchAsync(SecretName.Parse("api-key"), default).AsTask();
        _clock.Advance(await _clock.WhenDelayRequested(d => d != AttemptTimeout).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal("intact-value", await fetch.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(_logger.Lines, l => l.Contains("CRC32C does not match", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_metadata_server_refuses_requests_without_its_header_and_secret_manager_requires_a_valid_token()
    {
        using var bare = await _http.GetAsync(new Uri(_fake.BaseAddress, "computeMetadata/v1/instance/service-accounts/default/token"));
        using var anonymous = await _http.GetAsync(new Uri(_fake.BaseAddress, $"v1/projects/{Project}/secrets/x/versions/latest:access"));

        Assert.Equal(403, (int)bare.StatusCode);
        Assert.Equal(401, (int)anonymous.StatusCode);
        Assert.Contains("\"status\":\"UNAUTHENTICATED\"", await anonymous.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_expired_token_is_rejected_as_unauthenticated()
    {
        var token = _fake.IssueAccessToken();
        _fake.AddSecretVersion(Project, "api-key", "v");
        _clock.Advance(TimeSpan.FromHours(2));
        var tokens = new EnvironmentAccessTokenSource(_redactor, readVariable: _ => token);

        var error = await Assert.ThrowsAsync<PlatformAuthenticationException>(() => Provider(tokens).TryFetchAsync(SecretName.Parse("api-key"), default).AsTask());

        Assert.Equal(401, error.StatusCode);
    }
}
