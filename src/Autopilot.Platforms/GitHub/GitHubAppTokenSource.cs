using System.Security.Cryptography;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;
using Microsoft.Extensions.Logging;

namespace Autopilot.Platforms.GitHub;

/// <summary>A GitHub App installation: which app, which installation, and the app's private key (PEM).</summary>
/// <param name="AppId">The app id (or client id) used as the JWT issuer.</param>
/// <param name="InstallationId">The installation whose token we need.</param>
/// <param name="PrivateKeyPem">The app's private key; a secret.</param>
public sealed record GitHubAppCredentials(string AppId, long InstallationId, string PrivateKeyPem)
{
    /// <summary>The key is deliberately left out.</summary>
    public override string ToString() => $"GitHubAppCredentials {{ AppId = {AppId}, InstallationId = {InstallationId} }}";
}

/// <summary>
/// Installation tokens for a GitHub App: signs a JWT, exchanges it at
/// <c>POST /app/installations/{id}/access_tokens</c>, caches the token and refreshes it 5 minutes before
/// <c>expires_at</c>. Tokens are treated as opaque strings. Safe to share between concurrent callers: at most
/// one exchange runs at a time.
/// </summary>
public sealed class GitHubAppTokenSource : IGitHubTokenSource, IDisposable
{
    /// <summary>How long before expiry a cached token is replaced.</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private sealed record CachedToken(string Token, DateTimeOffset ExpiresAt);

    private readonly GitHubAppCredentials _credentials;
    private readonly RSA _key;
    private readonly Octokit.GitHubClient _octokit;
    private readonly OctokitErrors _errors;
    private readonly PlatformResilience _resilience;
    private readonly TimeProvider _time;
    private readonly Redactor _redactor;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private CachedToken? _cached;

    /// <summary>Creates the source; the private key is parsed now (bad keys fail fast) and registered with the redactor.</summary>
    public GitHubAppTokenSource(
        HttpClient http, GitHubAppCredentials credentials, GitHubClientOptions options, TimeProvider timeProvider, Redactor redactor, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        _credentials = credentials;
        _time = timeProvider;
        _redactor = redactor;
        _logger = logger;
        redactor.Register(credentials.PrivateKeyPem);
        _key = GitHubAppJwt.LoadPrivateKey(credentials.PrivateKeyPem);
        _octokit = new OctokitConnection(http, options, _ => ValueTask.FromResult(CreateJwt())).Client;
        _errors = new OctokitErrors(options, timeProvider, redactor);
        _resilience = new PlatformResilience("github", options.Call, timeProvider, redactor, logger);
    }

    /// <summary>Expiry of the cached token, if any (for health reporting).</summary>
    public DateTimeOffset? CachedUntil => Volatile.Read(ref _cached)?.ExpiresAt;

    /// <inheritdoc />
    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (Fresh(Volatile.Read(ref _cached)) is { } token) return token;
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another caller may have refreshed while we waited.
            if (Fresh(_cached) is { } refreshed) return refreshed;
            var exchanged = await _resilience.ExecuteAsync(ExchangeAsync, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _cached, exchanged);
            _logger.LogInformation("GitHub App {AppId} obtained an installation token for {InstallationId}, valid until {ExpiresAt}",
                _credentials.AppId, _credentials.InstallationId, exchanged.ExpiresAt);
            return exchanged.Token;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <inheritdoc />
    public void Invalidate() => Volatile.Write(ref _cached, null);

    /// <summary>Releases the key.</summary>
    public void Dispose()
    {
        _key.Dispose();
        _refresh.Dispose();
    }

    private string? Fresh(CachedToken? token) =>
        token is not null && _time.GetUtcNow() < token.ExpiresAt - RefreshMargin ? token.Token : null;

    private string CreateJwt()
    {
        var jwt = GitHubAppJwt.Create(_credentials.AppId, _key, _time.GetUtcNow());
        _redactor.Register(jwt);
        return jwt;
    }

    private async ValueTask<CachedToken> ExchangeAsync(CancellationToken cancellationToken)
    {
        const string operation = "POST /app/installations/{installation_id}/access_tokens";
        Octokit.AccessToken issued;
        try
        {
            issued = await OctokitConnection.RunAsync(() => _octokit.GitHubApps.CreateInstallationToken(_credentials.InstallationId), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Octokit.ApiException e)
        {
            throw _errors.Map(operation, e);
        }

        if (string.IsNullOrEmpty(issued.Token)) throw new GitHubApiException(operation, 201, "Response carried no token.", null, []);
        _redactor.Register(issued.Token);
        return new CachedToken(issued.Token, issued.ExpiresAt);
    }
}
