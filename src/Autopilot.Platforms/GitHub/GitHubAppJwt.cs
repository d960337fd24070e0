using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Autopilot.Platforms.GitHub;

/// <summary>
/// The short-lived RS256 JSON Web Token a GitHub App signs with its private key to ask for installation tokens.
/// <c>iat</c> is backdated 60 s to tolerate clock drift and <c>exp</c> is 10 minutes ahead, GitHub's maximum.
/// </summary>
public static class GitHubAppJwt
{
    /// <summary>How far <c>iat</c> is backdated.</summary>
    public static readonly TimeSpan ClockDriftAllowance = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How far ahead <c>exp</c> is set: a minute under GitHub's 10-minute maximum, so a clock running up to a
    /// minute fast cannot get the JWT refused ("'Expiration time' claim ('exp') is too far in the future").
    /// </summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(9);

    /// <summary>Creates a JWT for <paramref name="appId"/> (app id or client id) signed with <paramref name="privateKey"/>.</summary>
    public static string Create(string appId, RSA privateKey, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(appId);
        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", typ = "JWT" }));
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new
        {
            iat = (now - ClockDriftAllowance).ToUnixTimeSeconds(),
            exp = (now + Lifetime).ToUnixTimeSeconds(),
            iss = appId,
        }));
        var signingInput = $"{header}.{payload}";
        var signature = privateKey.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64Url(signature)}";
    }

    /// <summary>Loads an RSA key from PEM (PKCS#1 or PKCS#8) without ever echoing the key material.</summary>
    /// <exception cref="ArgumentException">The text is not a PEM RSA private key.</exception>
    public static RSA LoadPrivateKey(string pem)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pem);
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return rsa;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            throw new ArgumentException("The GitHub App private key is not a valid PEM-encoded RSA private key.", nameof(pem));
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
