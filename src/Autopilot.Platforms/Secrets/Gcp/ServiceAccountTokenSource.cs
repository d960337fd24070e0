using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;

namespace Autopilot.Platforms.Secrets.Gcp;

/// <summary>
/// Tokens for a service-account key, through Google.Apis.Auth's <c>ServiceAccountCredential</c> (an RS256
/// JWT-bearer grant at the key's <c>token_uri</c>, cached and refreshed before expiry; see
/// <see cref="GoogleCredentialTokenSource"/>). The private key is registered with the <see cref="Redactor"/>.
/// </summary>
public sealed class ServiceAccountTokenSource : IGoogleAccessTokenSource, IDisposable
{
    private readonly GoogleCredentialTokenSource _source;

    /// <summary>Creates the source; a key that is not PEM-encoded RSA fails now, without being quoted.</summary>
    /// <exception cref="FormatException">The private key cannot be read.</exception>
    public ServiceAccountTokenSource(HttpClient httpClient, ServiceAccountKey key, PlatformResilience resilience, Redactor redactor, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(resilience);
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _source = GoogleCredentialTokenSource.ForServiceAccount(httpClient, key, resilience, redactor, timeProvider);
    }

    /// <inheritdoc />
    public string Description => _source.Description;

    /// <inheritdoc />
    public ValueTask<GoogleAccessToken> GetTokenAsync(CancellationToken cancellationToken) => _source.GetTokenAsync(cancellationToken);

    /// <summary>Nothing to release: the key lives in Google.Apis.Auth's credential (kept for callers' using blocks).</summary>
    public void Dispose()
    {
    }
}
