using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;
using Microsoft.Extensions.Logging;

namespace Autopilot.Platforms.Secrets.Gcp;

/// <summary>
/// Reads secrets from Google Cloud Secret Manager over REST:
/// <c>GET v1/projects/{project}/secrets/{secret}/versions/{version}:access</c>, whose <c>payload.data</c> is the
/// base64 value (checked against <c>payload.dataCrc32c</c> when present). A 404 means "not here" so the store
/// can try its next provider; a 403 or any other failure is raised, because a denied or broken source must not
/// look like a missing secret.
/// </summary>
public sealed class GcpSecretManagerProvider : ISecretProvider
{
    private readonly HttpClient _httpClient;
    private readonly IGoogleAccessTokenSource _tokenSource;
    private readonly GcpSecretManagerOptions _options;
    private readonly Uri _baseAddress;
    private readonly PlatformResilience _resilience;
    private readonly Redactor _redactor;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Creates the provider.</summary>
    public GcpSecretManagerProvider(
        HttpClient httpClient,
        IGoogleAccessTokenSource tokenSource,
        GcpSecretManagerOptions options,
        PlatformResilience resilience,
        Redactor redactor,
        TimeProvider timeProvider,
        ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(tokenSource);
        ArgumentNullException.ThrowIfNull(resilience);
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _httpClient = httpClient;
        _tokenSource = tokenSource;
        _options = options.Validate();
        _baseAddress = options.BaseAddress ?? GcpSecretManagerOptions.DefaultBaseAddress;
        _resilience = resilience;
        _redactor = redactor;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <inheritdoc />
    public string Description => $"GCP Secret Manager project {_options.ProjectId} (version {_options.Version}, {_tokenSource.Description})";

    /// <inheritdoc />
    public async ValueTask<string?> TryFetchAsync(SecretName name, CancellationToken cancellationToken)
    {
        var resource = $"projects/{_options.ProjectId}/secrets/{name.Value}/versions/{_options.Version}";
        var operation = $"access {resource}";
        return await _resilience.ExecuteAsync(async attemptToken =>
        {
            var token = await _tokenSource.GetTokenAsync(attemptToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_baseAddress, $"v1/{resource}:access"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
            var started = _timeProvider.GetTimestamp();
            using var response = await _httpClient.SendAsync(request, attemptToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(attemptToken).ConfigureAwait(false);
            // The access body holds the secret; only the status and timing are logged, never a snippet of it.
            _logger.LogDebug(
                "{Platform} {Operation} answered {StatusCode} in {Duration}",
                GcpPlatform.Name, operation, (int)response.StatusCode, _timeProvider.GetElapsedTime(started));
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw GoogleErrorResponse.ToException(response, body, operation, _redactor, _timeProvider);
            }

            return DecodePayload(body, operation);
        }, cancellationToken).ConfigureAwait(false);
    }

    private string DecodePayload(string body, string operation)
    {
        byte[] data;
        long? expectedCrc = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var payload = document.RootElement.GetProperty("payload");
            data = payload.GetProperty("data").GetBytesFromBase64();
            if (payload.TryGetProperty("dataCrc32c", out var crc))
            {
                // int64 fields travel as JSON strings in Google's REST mapping.
                expectedCrc = long.Parse(crc.GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            // Never quote the body: it is the secret.
            throw new PlatformUnavailableException(GcpPlatform.Name, $"{operation} returned a malformed payload.");
        }

        if (expectedCrc is { } expected && Crc32C.Compute(data) != (uint)expected)
        {
            throw new PlatformUnavailableException(GcpPlatform.Name, $"{operation} returned a payload whose CRC32C does not match; it was corrupted in transit.");
        }

        return Encoding.UTF8.GetString(data);
    }
}
