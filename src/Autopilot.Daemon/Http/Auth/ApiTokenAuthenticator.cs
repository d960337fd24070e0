using System.Security.Cryptography;
using System.Text;
using Autopilot.Daemon.Configuration;

namespace Autopilot.Daemon.Http.Auth;

/// <summary>Who called the admin API: the configured token's name and role.</summary>
/// <param name="Name">Token name from <c>autopilot.api.tokens</c>, recorded as who asked.</param>
/// <param name="Role">What it may do.</param>
public sealed record ApiCaller(string Name, ApiRole Role);

/// <summary>
/// Checks bearer tokens against the configured ones. Only SHA-256 hashes are kept, and every configured hash is
/// compared with <see cref="CryptographicOperations.FixedTimeEquals"/> (no early exit), so neither the token's
/// content nor which entry matched leaks through timing.
/// </summary>
public sealed class ApiTokenAuthenticator
{
    private readonly IReadOnlyList<(byte[] Hash, ApiCaller Caller)> _tokens;

    /// <summary>Hashes the configured tokens.</summary>
    public ApiTokenAuthenticator(IEnumerable<ApiTokenSettings> tokens) =>
        _tokens = tokens.Select(t => (Hash(t.Token), new ApiCaller(t.Name, t.Role))).ToArray();

    /// <summary>True when at least one token is configured (otherwise the admin API refuses everything).</summary>
    public bool HasTokens => _tokens.Count > 0;

    /// <summary>The caller a presented token belongs to, or null.</summary>
    /// <param name="presented">The token from the Authorization header, without the scheme.</param>
    public ApiCaller? Authenticate(string? presented)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return null;
        }

        var hash = Hash(presented);
        ApiCaller? match = null;
        foreach (var (expected, caller) in _tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(expected, hash))
            {
                match = caller;
            }
        }

        return match;
    }

    /// <summary>The bearer token of an Authorization header value, or null when it is not a bearer header.</summary>
    public static string? BearerToken(string? authorizationHeader)
    {
        const string scheme = "Bearer ";
        return authorizationHeader is not null && authorizationHeader.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            ? authorizationHeader[scheme.Length..].Trim()
            : null;
    }

    /// <summary>SHA-256 of a secret's UTF-8 bytes, for constant-time comparison of values of any length.</summary>
    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
