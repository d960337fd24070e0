using System.Security.Cryptography;
using Autopilot.Daemon.Http.Auth;
using Microsoft.AspNetCore.Http;

namespace Autopilot.Daemon.Http.Webhooks;

/// <summary>
/// Authentication of platforms that cannot sign their webhooks (Railway, n8n): the configured shared secret in the
/// <c>X-Autopilot-Token</c> header or the <c>token</c> query parameter, compared in constant time.
/// </summary>
internal static class SharedSecret
{
    /// <summary>Header carrying the secret.</summary>
    public const string HeaderName = "X-Autopilot-Token";

    /// <summary>True when the request carries a secret at all (right or wrong).</summary>
    public static bool IsPresented(HttpRequest request) => !string.IsNullOrEmpty(Presented(request));

    /// <summary>True when the request carries <paramref name="secret"/>.</summary>
    public static bool Matches(HttpRequest request, string secret)
    {
        var presented = Presented(request);
        return !string.IsNullOrEmpty(presented)
            && CryptographicOperations.FixedTimeEquals(ApiTokenAuthenticator.Hash(presented), ApiTokenAuthenticator.Hash(secret));
    }

    private static string Presented(HttpRequest request)
    {
        var presented = request.Headers[HeaderName].ToString();
        return string.IsNullOrEmpty(presented) ? request.Query["token"].ToString() : presented;
    }
}
