using System.Security.Cryptography;
using System.Text;

namespace Autopilot.Platforms.GitHub;

/// <summary>
/// Checks the <c>X-Hub-Signature-256</c> header GitHub puts on webhook deliveries: <c>sha256=</c> followed by
/// the hex HMAC-SHA256 of the raw body under the webhook secret. Comparison is constant-time so the check leaks
/// nothing about how much of a forged signature was right.
/// </summary>
public static class GitHubWebhookSignature
{
    /// <summary>The header GitHub sends.</summary>
    public const string HeaderName = "X-Hub-Signature-256";

    private const string Prefix = "sha256=";

    /// <summary>True when <paramref name="signatureHeader"/> is the correct signature of <paramref name="body"/>.</summary>
    public static bool Verify(string secret, ReadOnlySpan<byte> body, string? signatureHeader)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        if (signatureHeader is null || !signatureHeader.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var hex = signatureHeader.AsSpan(Prefix.Length);
        if (hex.Length != HMACSHA256.HashSizeInBytes * 2) return false;
        Span<byte> claimed = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (Convert.FromHexString(hex, claimed, out _, out var written) != System.Buffers.OperationStatus.Done || written != claimed.Length) return false;
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, expected);
        return CryptographicOperations.FixedTimeEquals(claimed, expected);
    }

    /// <summary>The header value GitHub would send for <paramref name="body"/> (used by fakes and drills).</summary>
    public static string Compute(string secret, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        return Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
    }
}
