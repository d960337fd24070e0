using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;

namespace Autopilot.Platforms.Secrets.Gcp;

/// <summary>
/// Tokens of the default service account from the GCE/GKE/Cloud Run metadata server, through Google.Apis.Auth's
/// <c>ComputeCredential</c> (see <see cref="GoogleCredentialTokenSource"/>): cached and refreshed before expiry.
/// </summary>
public sealed class MetadataServerTokenSource : IGoogleAccessTokenSource
{
    /// <summary>The metadata server as seen from inside Google Cloud.</summary>
    public static readonly Uri DefaultAddress = new("http://metadata.google.internal/");

    private readonly GoogleCredentialTokenSource _source;

    /// <summary>Creates the source; <paramref name="metadataAddress"/> overrides the metadata server (tests, emulators).</summary>
    public MetadataServerTokenSource(HttpClient httpClient, PlatformResilience resilience, Redactor redactor, TimeProvider timeProvider, Uri? metadataAddress = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(resilience);
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _source = GoogleCredentialTokenSource.ForMetadataServer(httpClient, resilience, redactor, timeProvider, metadataAddress ?? DefaultAddress);
    }

    /// <inheritdoc />
    public string Description => _source.Description;

    /// <inheritdoc />
    public ValueTask<GoogleAccessToken> GetTokenAsync(CancellationToken cancellationToken) => _source.GetTokenAsync(cancellationToken);
}
