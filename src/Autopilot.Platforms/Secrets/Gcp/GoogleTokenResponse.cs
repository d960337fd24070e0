using System.Text.Json;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;

namespace Autopilot.Platforms.Secrets.Gcp;

/// <summary>
/// Sends a token request (metadata server or OAuth token endpoint — both answer
/// <c>{"access_token","expires_in","token_type"}</c>) under the resilience pipeline and reads the token.
/// </summary>
internal static class GoogleTokenResponse
{
    public static Task<GoogleAccessToken> FetchAsync(
        HttpClient httpClient,
        Func<HttpRequestMessage> createRequest,
        string operation,
        PlatformResilience resilience,
        Redactor redactor,
        TimeProvider timeProvider,
        CancellationToken cancellationToken) =>
        resilience.ExecuteAsync(async attemptToken =>
        {
            using var request = createRequest();
            using var response = await httpClient.SendAsync(request, attemptToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(attemptToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw GoogleErrorResponse.ToException(response, body, operation, redactor, timeProvider);
            }

            return Parse(body, operation, redactor, timeProvider);
        }, cancellationToken);

    private static GoogleAccessToken Parse(string body, string operation, Redactor redactor, TimeProvider timeProvider)
    {
        string? token = null;
        long? expiresIn = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("access_token", out var value) && value.ValueKind == JsonValueKind.String)
                {
                    token = value.GetString();
                }

                if (root.TryGetProperty("expires_in", out var expires) && expires.ValueKind == JsonValueKind.Number)
                {
                    expiresIn = expires.GetInt64();
                }
            }
        }
        catch (JsonException)
        {
            // Reported below as a malformed answer.
        }

        if (string.IsNullOrEmpty(token) || expiresIn is null or <= 0)
        {
            // The body may hold a token despite the wrong shape, so it is not quoted.
            throw new PlatformUnavailableException(GcpPlatform.Name, $"{operation} answered without a usable access_token/expires_in.");
        }

        redactor.Register(token);
        return new GoogleAccessToken(token, timeProvider.GetUtcNow().AddSeconds(expiresIn.Value));
    }
}
