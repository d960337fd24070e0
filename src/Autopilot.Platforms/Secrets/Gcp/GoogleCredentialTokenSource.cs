using System.Net;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Apis.Http;
using Google.Apis.Util;

namespace Autopilot.Platforms.Secrets.Gcp;

/// <summary>
/// Access tokens from a Google.Apis.Auth credential — the metadata server (<see cref="ComputeCredential"/>), a
/// service-account key (<see cref="ServiceAccountCredential"/>) or a workload identity federation
/// <c>external_account</c> file — scoped to <see cref="GcpPlatform.CloudPlatformScope"/>. The library mints,
/// caches and refreshes tokens; its HTTP goes through the product's <see cref="HttpClient"/>, its clock is the
/// product's <see cref="TimeProvider"/> where the credential type lets us set one, and its own retries are off so
/// <see cref="PlatformResilience"/> decides. Token-endpoint errors become <see cref="PlatformException"/>s whose
/// messages carry only the OAuth error code and description.
/// </summary>
public sealed class GoogleCredentialTokenSource : IGoogleAccessTokenSource
{
    private readonly ICredential _credential;
    private readonly PlatformResilience _resilience;
    private readonly Redactor _redactor;
    private readonly TimeProvider _timeProvider;
    private readonly string _operation;

    private GoogleCredentialTokenSource(ICredential credential, string description, PlatformResilience resilience, Redactor redactor, TimeProvider timeProvider)
    {
        _credential = credential;
        Description = description;
        _resilience = resilience;
        _redactor = redactor;
        _timeProvider = timeProvider;
        _operation = $"token request for {description}";
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <summary>The metadata server's default service account (<c>computeMetadata/v1/instance/service-accounts/default/token</c>).</summary>
    public static GoogleCredentialTokenSource ForMetadataServer(
        HttpClient httpClient, PlatformResilience resilience, Redactor redactor, TimeProvider timeProvider, Uri metadataAddress)
    {
        ArgumentNullException.ThrowIfNull(metadataAddress);
        var initializer = new ComputeCredential.Initializer(new Uri(metadataAddress, "computeMetadata/v1/instance/service-accounts/default/token").AbsoluteUri);
        Configure(initializer, httpClient, timeProvider);
        return new(new ComputeCredential(initializer), "metadata server default service account", resilience, redactor, timeProvider);
    }

    /// <summary>A service-account key: an RS256 JWT-bearer grant at the key's <c>token_uri</c>.</summary>
    /// <exception cref="FormatException">The private key is not a PEM-encoded RSA key (the message does not quote it).</exception>
    public static GoogleCredentialTokenSource ForServiceAccount(
        HttpClient httpClient, ServiceAccountKey key, PlatformResilience resilience, Redactor redactor, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(key);
        redactor.Register(key.PrivateKeyPem);
        var initializer = new ServiceAccountCredential.Initializer(key.ClientEmail, key.TokenUri.AbsoluteUri)
        {
            KeyId = key.PrivateKeyId,
            ProjectId = key.ProjectId,
            Scopes = [GcpPlatform.CloudPlatformScope],
        };
        Configure(initializer, httpClient, timeProvider);
        try
        {
            return new(new ServiceAccountCredential(initializer.FromPrivateKey(key.PrivateKeyPem)), $"service account {key.ClientEmail}", resilience, redactor, timeProvider);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or System.Security.Cryptography.CryptographicException or InvalidOperationException)
        {
            throw new FormatException($"The private key of {key.ClientEmail} is not a PEM-encoded RSA key.");
        }
    }

    /// <summary>
    /// A credential file as Google tools write them: <c>service_account</c> or workload identity federation
    /// <c>external_account</c> (the subject token from a file or URL, exchanged at the file's STS <c>token_url</c>,
    /// optionally impersonating a service account). The file's type is checked against <paramref name="expectedType"/>.
    /// </summary>
    /// <exception cref="FormatException">The file is not a credential of that type (the message does not quote it).</exception>
    public static GoogleCredentialTokenSource FromCredentialJson(
        HttpClient httpClient, string json, string expectedType, PlatformResilience resilience, Redactor redactor, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (expectedType == JsonCredentialParameters.ServiceAccountCredentialType)
        {
            return ForServiceAccount(httpClient, ServiceAccountKey.Parse(json), resilience, redactor, timeProvider);
        }

        GoogleCredential credential;
        try
        {
            credential = CredentialFactory.FromJson(json, expectedType);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or Newtonsoft.Json.JsonException)
        {
            throw new FormatException($"The credential file is not a valid '{expectedType}' credential.");
        }

        credential = credential.CreateScoped(GcpPlatform.CloudPlatformScope).CreateWithHttpClientFactory(new ForwardingHttpClientFactory(httpClient));
        return new(credential, $"{expectedType} credential", resilience, redactor, timeProvider);
    }

    /// <inheritdoc />
    public async ValueTask<GoogleAccessToken> GetTokenAsync(CancellationToken cancellationToken) =>
        await _resilience.ExecuteAsync(async attemptToken =>
        {
            string value;
            try
            {
                value = await _credential.GetAccessTokenForRequestAsync(authUri: null, attemptToken).ConfigureAwait(false);
            }
            catch (TokenResponseException e)
            {
                throw ToException(e);
            }

            if (string.IsNullOrEmpty(value))
            {
                throw new PlatformUnavailableException(GcpPlatform.Name, $"{_operation} answered without a usable access token.");
            }

            _redactor.Register(value);
            return new GoogleAccessToken(value, ExpiresAt());
        }, cancellationToken).ConfigureAwait(false);

    private DateTimeOffset ExpiresAt()
    {
        var token = (_credential as ServiceCredential)?.Token ?? ((_credential as GoogleCredential)?.UnderlyingCredential as ServiceCredential)?.Token;
        return token?.ExpiresInSeconds is { } seconds
            ? new DateTimeOffset(DateTime.SpecifyKind(token.IssuedUtc, DateTimeKind.Utc)).AddSeconds(seconds)
            : _timeProvider.GetUtcNow().AddMinutes(5);
    }

    private PlatformException ToException(TokenResponseException e)
    {
        var status = e.StatusCode is { } code ? (int)code : (int?)null;
        var reason = e.Error?.Error;
        var message = _redactor.Redact($"{_operation} failed with HTTP {status?.ToString() ?? "?"}{(reason is null ? "" : " " + reason)}: {e.Error?.ErrorDescription ?? "(no description)"}");
        return e.StatusCode switch
        {
            HttpStatusCode.TooManyRequests => new PlatformRateLimitedException(GcpPlatform.Name, message, status, retryAfter: null),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new PlatformAuthenticationException(GcpPlatform.Name, message, status),
            // OAuth reports a rejected grant (bad signature, unknown key) as 400 invalid_grant: a credential problem.
            HttpStatusCode.BadRequest when reason is "invalid_grant" or "invalid_client" or "unauthorized_client" =>
                new PlatformAuthenticationException(GcpPlatform.Name, message, status),
            _ when status is null or >= 500 or 408 => new PlatformUnavailableException(GcpPlatform.Name, message, status),
            _ => new PlatformRequestException(GcpPlatform.Name, message, status),
        };
    }

    private static void Configure(ServiceCredential.Initializer initializer, HttpClient httpClient, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        initializer.HttpClientFactory = new ForwardingHttpClientFactory(httpClient);
        initializer.Clock = new TimeProviderClock(timeProvider);
        initializer.DefaultExponentialBackOffPolicy = ExponentialBackOffPolicy.None;
    }

    private sealed class ForwardingHttpClientFactory(HttpClient httpClient) : HttpClientFactory
    {
        protected override HttpMessageHandler CreateHandler(CreateHttpClientArgs args) => new HttpClientForwardingHandler(httpClient);
    }

    private sealed class TimeProviderClock(TimeProvider timeProvider) : IClock
    {
        public DateTime Now => timeProvider.GetLocalNow().DateTime;

        public DateTime UtcNow => timeProvider.GetUtcNow().UtcDateTime;
    }
}
