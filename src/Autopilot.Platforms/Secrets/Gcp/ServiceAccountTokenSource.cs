using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;

namespace Autopilot.Platforms.Secrets.Gcp;

/// <summary>
/// Mints tokens from a service-account key with the OAuth 2.0 JWT-bearer grant (RFC 7523): a JWT signed
/// RS256 with the key, asserting the account, the cloud-platform scope and the token endpoint as audience, is
/// exchanged at <see cref="ServiceAccountKey.TokenUri"/> for an access token. For running outside Google
/// infrastructure, where there is no metadata server.
/// </summary>
public sealed class ServiceAccountTokenSource : IGoogleAccessTokenSource, IDisposable
{
    /// <summary>Lifetime requested for each assertion; Google accepts at most one hour.</summary>
    public static readonly TimeSpan AssertionLifetime = TimeSpan.FromHours(1);

    private readonly HttpClient _httpClient;
    private readonly ServiceAccountKey _key;
    private readonly RSA _rsa;
    private readonly PlatformResilience _resilience;
    private readonly Redactor _redactor;
    private readonly TimeProvider _timeProvider;
    private readonly CachedTokenMinter _minter;

    /// <summary>Creates the source and registers the private key with <paramref name="redactor"/>.</summary>
    /// <exception cref="FormatException">The private key is not a PEM RSA key.</exception>
    public ServiceAccountTokenSource(HttpClient httpClient, ServiceAccountKey key, PlatformResilience resilience, Redactor redactor, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(resilience);
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _httpClient = httpClient;
        _key = key;
        _resilience = resilience;
        _redactor = redactor;
        _timeProvider = timeProvider;
        redactor.Register(key.PrivateKeyPem);
        _rsa = RSA.Create();
        try
        {
            _rsa.ImportFromPem(key.PrivateKeyPem);
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            _rsa.Dispose();
            throw new FormatException($"The private key of {key.ClientEmail} is not a PEM-encoded RSA key.");
        }

        _minter = new CachedTokenMinter(MintAsync, timeProvider);
    }

    /// <inheritdoc />
    public string Description => $"service account {_key.ClientEmail}";

    /// <inheritdoc />
    public ValueTask<GoogleAccessToken> GetTokenAsync(CancellationToken cancellationToken) => _minter.GetAsync(cancellationToken);

    /// <summary>Builds a signed assertion for the current time (exposed so its claims can be verified).</summary>
    public string CreateAssertion()
    {
        var issuedAt = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["alg"] = "RS256",
            ["typ"] = "JWT",
            ["kid"] = _key.PrivateKeyId,
        });
        var claims = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = _key.ClientEmail,
            ["scope"] = GcpPlatform.CloudPlatformScope,
            ["aud"] = _key.TokenUri.AbsoluteUri,
            ["iat"] = issuedAt,
            ["exp"] = issuedAt + (long)AssertionLifetime.TotalSeconds,
        });
        var signingInput = Base64Url(header) + "." + Base64Url(claims);
        var signature = _rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    /// <inheritdoc />
    public void Dispose() => _rsa.Dispose();

    private Task<GoogleAccessToken> MintAsync(CancellationToken cancellationToken) =>
        GoogleTokenResponse.FetchAsync(
            _httpClient,
            () =>
            {
                var assertion = CreateAssertion();
                _redactor.Register(assertion);
                return new HttpRequestMessage(HttpMethod.Post, _key.TokenUri)
                {
                    Content = new FormUrlEncodedContent(new Dictionary<string, string>
                    {
                        ["grant_type"] = "urn:ietf:params:oauth:grant-type:jwt-bearer",
                        ["assertion"] = assertion,
                    }),
                };
            },
            $"token grant for {_key.ClientEmail}",
            _resilience,
            _redactor,
            _timeProvider,
            cancellationToken);

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
