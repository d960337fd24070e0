using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;

namespace Autopilot.Platforms.Secrets.Gcp;

/// <summary>
/// Gets tokens for the instance's default service account from the metadata server — the credential-free way
/// to authenticate on Compute Engine, Cloud Run and GKE. The server only answers requests carrying
/// <c>Metadata-Flavor: Google</c>, which proves the caller is not being tricked via an open redirect.
/// </summary>
public sealed class MetadataServerTokenSource : IGoogleAccessTokenSource
{
    /// <summary>Where the metadata server lives on Google infrastructure.</summary>
    public static readonly Uri DefaultAddress = new("http://metadata.google.internal/");

    private const string TokenPath = "computeMetadata/v1/instance/service-accounts/default/token";

    private readonly HttpClient _httpClient;
    private readonly Uri _tokenUri;
    private readonly PlatformResilience _resilience;
    private readonly Redactor _redactor;
    private readonly TimeProvider _timeProvider;
    private readonly CachedTokenMinter _minter;

    /// <summary>Creates the source; <paramref name="metadataAddress"/> defaults to <see cref="DefaultAddress"/>.</summary>
    public MetadataServerTokenSource(HttpClient httpClient, PlatformResilience resilience, Redactor redactor, TimeProvider timeProvider, Uri? metadataAddress = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(resilience);
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _httpClient = httpClient;
        _tokenUri = new Uri(metadataAddress ?? DefaultAddress, TokenPath);
        _resilience = resilience;
        _redactor = redactor;
        _timeProvider = timeProvider;
        _minter = new CachedTokenMinter(MintAsync, timeProvider);
    }

    /// <inheritdoc />
    public string Description => "metadata server default service account";

    /// <inheritdoc />
    public ValueTask<GoogleAccessToken> GetTokenAsync(CancellationToken cancellationToken) => _minter.GetAsync(cancellationToken);

    private Task<GoogleAccessToken> MintAsync(CancellationToken cancellationToken) =>
        GoogleTokenResponse.FetchAsync(
            _httpClient,
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, _tokenUri);
                request.Headers.Add("Metadata-Flavor", "Google");
                return request;
            },
            "metadata token request",
            _resilience,
            _redactor,
            _timeProvider,
            cancellationToken);
}
