using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Autopilot.Platforms.GitHub;
using Xunit;

namespace Autopilot.Platforms.Tests.GitHub;

public sealed class GitHubAppAuthTests : IAsyncLifetime
{
    private GitHubTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await GitHubTestBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private static JsonElement Part(string jwt, int index)
    {
        var text = jwt.Split('.')[index].Replace('-', '+').Replace('_', '/');
        return JsonDocument.Parse(Convert.FromBase64String(text.PadRight(text.Length + (4 - text.Length % 4) % 4, '='))).RootElement;
    }

    [Fact]
    public async Task The_jwt_is_rs256_backdated_a_minute_expiring_a_minute_under_ten_and_issued_by_the_app()
    {
        var now = _bed.Clock.GetUtcNow();
        using var source = _bed.CreateAppTokenSource();

        await source.GetTokenAsync(CancellationToken.None);

        var jwt = _bed.Fake.Exchanges.Single().RequestHeaders["Authorization"]["Bearer ".Length..];
        Assert.Equal("RS256", Part(jwt, 0).GetProperty("alg").GetString());
        var claims = Part(jwt, 1);
        Assert.Equal(now.AddSeconds(-60).ToUnixTimeSeconds(), claims.GetProperty("iat").GetInt64());
        Assert.Equal(now.AddMinutes(9).ToUnixTimeSeconds(), claims.GetProperty("exp").GetInt64());
        Assert.True(claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64() <= 600);
        Assert.Equal(GitHubTestBed.AppId, claims.GetProperty("iss").GetString());
        var parts = jwt.Split('.');
        var signature = Convert.FromBase64String(parts[2].Replace('-', '+').Replace('_', '/').PadRight(parts[2].Length + (4 - parts[2].Length % 4) % 4, '='));
        Assert.True(_bed.AppKey.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.Equal("/app/installations/77/access_tokens", _bed.Fake.Exchanges.Single().Path);
    }

    [Fact]
    public async Task The_installation_token_is_cached_and_refreshed_five_minutes_before_it_expires()
    {
        var client = _bed.CreateClient();
        var issue = new NewIssue("t", "b", []);

        await client.CreateIssueAsync(_bed.Repository, issue);
        _bed.Clock.Advance(TimeSpan.FromMinutes(54));
        await client.CreateIssueAsync(_bed.Repository, issue);
        var exchangesBeforeMargin = _bed.Fake.TokenExchanges;
        _bed.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await client.CreateIssueAsync(_bed.Repository, issue);

        Assert.Equal(1, exchangesBeforeMargin);
        Assert.Equal(2, _bed.Fake.TokenExchanges);
        var tokens = _bed.Fake.Exchanges.Where(e => e.Path.EndsWith("/issues")).Select(e => e.RequestHeaders["Authorization"]).ToArray();
        Assert.Equal(tokens[0], tokens[1]);
        Assert.NotEqual(tokens[1], tokens[2]);
    }

    [Fact]
    public async Task Concurrent_callers_share_one_exchange()
    {
        using var source = _bed.CreateAppTokenSource();

        var tokens = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => source.GetTokenAsync(CancellationToken.None).AsTask()));

        Assert.Single(tokens.Distinct());
        Assert.Equal(1, _bed.Fake.TokenExchanges);
    }

    [Fact]
    public async Task A_jwt_signed_with_the_wrong_key_is_refused_with_401_and_not_retried()
    {
        using var otherKey = RSA.Create(2048);
        using var source = _bed.CreateAppTokenSource(otherKey.ExportRSAPrivateKeyPem());

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => source.GetTokenAsync(CancellationToken.None).AsTask());

        Assert.Equal((401, "A JSON web token could not be decoded"), (error.StatusCode, error.ApiMessage));
        Assert.False(error.IsTransient);
        Assert.Single(_bed.Fake.Exchanges);
    }

    [Theory]
    [InlineData(-20, "must be a numeric value representing the future time")]
    [InlineData(+15, "is too far in the future")]
    public async Task The_fake_rejects_expired_or_future_jwts_like_github(int minutesOffset, string expected)
    {
        var jwt = GitHubAppJwt.Create(GitHubTestBed.AppId, _bed.AppKey, _bed.Clock.GetUtcNow().AddMinutes(minutesOffset));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_bed.Fake.BaseAddress, "app/installations/77/access_tokens"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);

        using var response = await _bed.Http.SendAsync(request);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(expected, body.GetProperty("message").GetString());
        Assert.Equal("https://docs.github.com/rest", body.GetProperty("documentation_url").GetString());
    }

    [Fact]
    public async Task An_expired_installation_token_is_bad_credentials()
    {
        using var source = _bed.CreateAppTokenSource();
        var token = await source.GetTokenAsync(CancellationToken.None);
        _bed.Clock.Advance(TimeSpan.FromHours(1));
        var stale = _bed.CreateClient(new StaticTokenSource(token));

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => stale.CreateIssueAsync(_bed.Repository, new NewIssue("t", "b", [])));

        Assert.Equal(401, error.StatusCode);
    }

    [Fact]
    public void A_malformed_private_key_fails_fast_without_echoing_it()
    {
        const string broken = "-----BEGIN RSA PRIVATE KEY-----\nTm90QUtleUF0QWxs\n-----END RSA PRIVATE KEY-----";

        var error = Assert.Throws<ArgumentException>(() => _bed.CreateAppTokenSource(broken));

        Assert.DoesNotContain("Tm90QUtleUF0QWxs", error.ToString());
    }

    private sealed class StaticTokenSource(string token) : IGitHubTokenSource
    {
        public ValueTask<string> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult(token);

        public void Invalidate()
        {
        }
    }
}
