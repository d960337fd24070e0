using System.Net;
using System.Text.Json;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;

namespace Autopilot.Platforms.Secrets.Gcp;

/// <summary>
/// Turns a failed Google response into a typed <see cref="PlatformException"/>. Understands both envelopes
/// Google uses: APIs answer <c>{"error":{"code","message","status"}}</c>, OAuth token endpoints answer
/// <c>{"error":"invalid_grant","error_description":…}</c>. The message carries only redacted text.
/// </summary>
internal static class GoogleErrorResponse
{
    public static PlatformException ToException(HttpResponseMessage response, string body, string operation, Redactor redactor, TimeProvider timeProvider)
    {
        var status = (int)response.StatusCode;
        var (reason, detail) = Parse(body);
        var message = redactor.Redact($"{operation} failed with HTTP {status}{(reason is null ? "" : " " + reason)}: {detail ?? redactor.Snippet(body, 200)}");
        var retryAfter = RetryAfterHeader.Read(response.Headers, timeProvider);
        return response.StatusCode switch
        {
            HttpStatusCode.TooManyRequests => new PlatformRateLimitedException(GcpPlatform.Name, message, status, retryAfter),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new PlatformAuthenticationException(GcpPlatform.Name, message, status),
            // OAuth reports a rejected grant (bad signature, unknown key) as 400 invalid_grant: a credential problem.
            HttpStatusCode.BadRequest when reason is "invalid_grant" or "invalid_client" or "unauthorized_client" =>
                new PlatformAuthenticationException(GcpPlatform.Name, message, status),
            _ when status >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout =>
                new PlatformUnavailableException(GcpPlatform.Name, message, status, retryAfter),
            _ => new PlatformRequestException(GcpPlatform.Name, message, status),
        };
    }

    /// <summary>Extracts (status or OAuth error code, human message) from either envelope; nulls when the body is not one.</summary>
    public static (string? Reason, string? Detail) Parse(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("error", out var error))
            {
                return (null, null);
            }

            if (error.ValueKind == JsonValueKind.Object)
            {
                return (StringProperty(error, "status"), StringProperty(error, "message"));
            }

            return error.ValueKind == JsonValueKind.String
                ? (error.GetString(), StringProperty(document.RootElement, "error_description"))
                : (null, null);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
