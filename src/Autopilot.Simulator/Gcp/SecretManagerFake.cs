using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Autopilot.Platforms.Secrets.Gcp;
using Autopilot.Simulator.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Simulator.Gcp;

/// <summary>
/// Google Cloud for secret tests, on one server: Secret Manager's
/// <c>GET /v1/projects/{p}/secrets/{s}/versions/{v}:access</c> (base64 <c>payload.data</c> with
/// <c>dataCrc32c</c>), the metadata server's token endpoint (only with <c>Metadata-Flavor: Google</c>) and an
/// OAuth token endpoint (<c>POST /token</c>) that verifies RS256 JWT-bearer assertions against the public keys
/// of the service accounts it created. Every Secret Manager call must carry a bearer token the fake issued and
/// that has not expired on its clock. Errors use Google's envelope <c>{"error":{"code","message","status"}}</c>.
/// </summary>
public sealed partial class SecretManagerFake : FakeServer
{
    private static readonly HashSet<string> AcceptedAudiences = ["https://oauth2.googleapis.com/token", "https://www.googleapis.com/oauth2/v4/token"];
    private const string TokenPath = "/computeMetadata/v1/instance/service-accounts/default/token";
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromSeconds(3599);
    private static readonly JsonSerializerOptions PlainJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ConcurrentDictionary<string, List<string>> _secrets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _denied = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RSA> _serviceAccounts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<JsonObject> _verifiedAssertions = new();
    private int _corruptNextPayloads;
    private long _tokenCounter;

    /// <summary>Creates the fake on <paramref name="timeProvider"/>, which decides token expiry.</summary>
    public SecretManagerFake(TimeProvider timeProvider) : base(timeProvider)
    {
    }

    /// <summary>Claims of every assertion the token endpoint accepted, in order.</summary>
    public IReadOnlyList<JsonObject> VerifiedAssertions => _verifiedAssertions.ToArray();

    /// <summary>The token endpoint address, as a key file's <c>token_uri</c>.</summary>
    public Uri TokenUri => new(BaseAddress, "token");

    /// <summary>Adds a new version holding <paramref name="value"/>; <c>latest</c> then resolves to it.</summary>
    public void AddSecretVersion(string project, string secret, string value)
    {
        var versions = _secrets.GetOrAdd($"{project}/{secret}", _ => []);
        lock (versions)
        {
            versions.Add(value);
        }
    }

    /// <summary>Makes access to the secret fail with 403 PERMISSION_DENIED.</summary>
    public void DenyAccess(string project, string secret) => _denied[$"{project}/{secret}"] = true;

    /// <summary>The next <paramref name="count"/> access responses carry a payload that does not match its CRC32C.</summary>
    public void CorruptNextPayloads(int count) => Interlocked.Exchange(ref _corruptNextPayloads, count);

    /// <summary>Issues an access token directly (as if handed over by a deployment tool).</summary>
    public string IssueAccessToken()
    {
        var token = $"ya29.fake-{Interlocked.Increment(ref _tokenCounter):D6}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant()}";
        _tokens[token] = TimeProvider.GetUtcNow() + TokenLifetime;
        return token;
    }

    /// <summary>Creates a service account whose key the token endpoint will trust; returns the key file's JSON.</summary>
    public string CreateServiceAccountKey(string clientEmail, string projectId)
    {
        var rsa = RSA.Create(2048);
        _serviceAccounts[clientEmail] = rsa;
        return new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = projectId,
            ["private_key_id"] = Convert.ToHexString(SHA1.HashData(Encoding.UTF8.GetBytes(clientEmail))).ToLowerInvariant(),
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = clientEmail,
            ["client_id"] = "1000000000000000000001",
            ["token_uri"] = TokenUri.AbsoluteUri,
        }.ToJsonString();
    }

    /// <inheritdoc />
    protected override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(TokenPath, MetadataTokenAsync);
        endpoints.MapPost("/token", TokenGrantAsync);
        endpoints.MapPost("/sts/v1/token", TokenExchangeAsync);
        endpoints.MapGet("/v1/{**name}", AccessAsync);
    }

    private async Task MetadataTokenAsync(HttpContext context)
    {
        if (context.Request.Headers["Metadata-Flavor"] != "Google")
        {
            context.Response.StatusCode = 403;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("Missing required header: Metadata-Flavor: Google");
            return;
        }

        context.Response.Headers["Metadata-Flavor"] = "Google";
        await WriteTokenAsync(context);
    }

    private async Task TokenGrantAsync(HttpContext context)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync() : null;
        if (form?["grant_type"].ToString() != "urn:ietf:params:oauth:grant-type:jwt-bearer")
        {
            await WriteOAuthErrorAsync(context, "unsupported_grant_type", "Invalid grant_type.");
            return;
        }

        var rejection = VerifyAssertion(form["assertion"].ToString());
        if (rejection is not null)
        {
            await WriteOAuthErrorAsync(context, "invalid_grant", rejection);
            return;
        }

        await WriteTokenAsync(context);
    }

    /// <summary>
    /// Workload identity federation (the STS token exchange, RFC 8693, as at https://sts.googleapis.com/v1/token):
    /// an accepted subject token (see <see cref="AddWorkloadIdentity"/>) is exchanged for an access token.
    /// </summary>
    private async Task TokenExchangeAsync(HttpContext context)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync() : null;
        if (form?["grant_type"].ToString() != "urn:ietf:params:oauth:grant-type:token-exchange"
            || form["requested_token_type"].ToString() != "urn:ietf:params:oauth:token-type:access_token")
        {
            await WriteOAuthErrorAsync(context, "invalid_request", "Invalid value for \"grant_type\" or \"requested_token_type\".");
            return;
        }

        if (form["audience"].ToString() != WorkloadIdentityAudience || !_subjectTokens.ContainsKey(form["subject_token"].ToString()))
        {
            await WriteOAuthErrorAsync(context, "invalid_grant", "The provided subject token is not valid for this audience.");
            return;
        }

        await WriteJsonAsync(context, 200, new JsonObject
        {
            ["access_token"] = IssueAccessToken(),
            ["issued_token_type"] = "urn:ietf:params:oauth:token-type:access_token",
            ["token_type"] = "Bearer",
            ["expires_in"] = (long)TokenLifetime.TotalSeconds,
        });
    }

    /// <summary>The workload identity pool provider the fake's STS accepts as audience.</summary>
    public const string WorkloadIdentityAudience = "//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/ci/providers/github";

    private readonly ConcurrentDictionary<string, bool> _subjectTokens = new(StringComparer.Ordinal);

    /// <summary>Makes the STS endpoint accept <paramref name="subjectToken"/> (e.g. an OIDC token from a CI system).</summary>
    public void AddWorkloadIdentity(string subjectToken) => _subjectTokens[subjectToken] = true;

    /// <summary>An <c>external_account</c> credential file whose subject token is read from <paramref name="subjectTokenFile"/>.</summary>
    public string CreateExternalAccountFile(string subjectTokenFile) => new JsonObject
    {
        ["type"] = "external_account",
        ["audience"] = WorkloadIdentityAudience,
        ["subject_token_type"] = "urn:ietf:params:oauth:token-type:jwt",
        ["token_url"] = new Uri(BaseAddress, "sts/v1/token").AbsoluteUri,
        ["credential_source"] = new JsonObject { ["file"] = subjectTokenFile },
    }.ToJsonString();

    /// <summary>Checks an assertion as Google does; returns why it is refused, or null when it is good.</summary>
    private string? VerifyAssertion(string assertion)
    {
        var parts = assertion.Split('.');
        if (parts.Length != 3)
        {
            return "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.";
        }

        JsonObject header;
        JsonObject claims;
        byte[] signature;
        try
        {
            header = JsonNode.Parse(FromBase64Url(parts[0])) as JsonObject ?? throw new JsonException();
            claims = JsonNode.Parse(FromBase64Url(parts[1])) as JsonObject ?? throw new JsonException();
            signature = FromBase64Url(parts[2]);
        }
        catch (Exception exception) when (exception is JsonException or FormatException)
        {
            return "Invalid JWT: could not decode.";
        }

        if (header["alg"]?.GetValue<string>() != "RS256")
        {
            return "Invalid JWT: unsupported signing algorithm.";
        }

        var issuer = claims["iss"]?.GetValue<string>() ?? "";
        if (!_serviceAccounts.TryGetValue(issuer, out var key) ||
            !key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return "Invalid JWT Signature.";
        }

        var now = TimeProvider.GetUtcNow().ToUnixTimeSeconds();
        var issuedAt = claims["iat"]?.GetValue<long>() ?? 0;
        var expires = claims["exp"]?.GetValue<long>() ?? 0;
        if (issuedAt > now + 60 || expires <= now || expires - issuedAt > 3600)
        {
            return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.";
        }

        // Google's token endpoint accepts its own addresses as audience (Google.Apis.Auth signs for
        // https://oauth2.googleapis.com/token whatever token_uri it posts to); the fake also accepts its own.
        if (claims["aud"]?.GetValue<string>() is not { } audience || !AcceptedAudiences.Contains(audience) && audience != TokenUri.AbsoluteUri)
        {
            return "Invalid JWT: audience is not this token endpoint.";
        }

        if (!(claims["scope"]?.GetValue<string>() ?? "").Split(' ').Contains(GcpPlatform.CloudPlatformScope))
        {
            return "Invalid JWT: no usable scope.";
        }

        _verifiedAssertions.Enqueue(claims);
        return null;
    }

    private async Task AccessAsync(HttpContext context)
    {
        var match = AccessPath().Match(context.Request.Path.Value ?? "");
        if (!match.Success)
        {
            await WriteGoogleErrorAsync(context, 404, "NOT_FOUND", "Method not found.");
            return;
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            await WriteGoogleErrorAsync(context, 401, "UNAUTHENTICATED", "Request is missing the OAuth 2 access token it requires.");
            return;
        }

        if (!_tokens.TryGetValue(authorization["Bearer ".Length..], out var expiresAt) || expiresAt <= TimeProvider.GetUtcNow())
        {
            await WriteGoogleErrorAsync(context, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials.");
            return;
        }

        var (project, secret, version) = (match.Groups["project"].Value, match.Groups["secret"].Value, match.Groups["version"].Value);
        var key = $"{project}/{secret}";
        if (_denied.ContainsKey(key))
        {
            await WriteGoogleErrorAsync(context, 403, "PERMISSION_DENIED", $"Permission 'secretmanager.versions.access' denied for resource 'projects/{project}/secrets/{secret}/versions/{version}' (or it may not exist).");
            return;
        }

        string? value = null;
        var number = 0;
        if (_secrets.TryGetValue(key, out var versions))
        {
            lock (versions)
            {
                number = version == "latest" ? versions.Count : int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
                value = number >= 1 && number <= versions.Count ? versions[number - 1] : null;
            }
        }

        if (value is null)
        {
            await WriteGoogleErrorAsync(context, 404, "NOT_FOUND", versions is null
                ? $"Secret [projects/{project}/secrets/{secret}] not found or has no versions."
                : $"Secret Version [projects/{project}/secrets/{secret}/versions/{version}] not found.");
            return;
        }

        var data = Encoding.UTF8.GetBytes(value);
        var crc = Crc32C.Compute(data);
        if (Interlocked.Decrement(ref _corruptNextPayloads) >= 0)
        {
            data[0] ^= 0xFF;
        }
        else
        {
            Interlocked.Exchange(ref _corruptNextPayloads, 0);
        }

        await WriteJsonAsync(context, 200, new JsonObject
        {
            ["name"] = $"projects/{project}/secrets/{secret}/versions/{number}",
            ["payload"] = new JsonObject
            {
                ["data"] = Convert.ToBase64String(data),
                // int64 travels as a string in Google's JSON mapping.
                ["dataCrc32c"] = crc.ToString(CultureInfo.InvariantCulture),
            },
        });
    }

    private Task WriteTokenAsync(HttpContext context) => WriteJsonAsync(context, 200, new JsonObject
    {
        ["access_token"] = IssueAccessToken(),
        ["expires_in"] = (int)TokenLifetime.TotalSeconds,
        ["token_type"] = "Bearer",
    });

    private static Task WriteOAuthErrorAsync(HttpContext context, string error, string description) =>
        WriteJsonAsync(context, 400, new JsonObject { ["error"] = error, ["error_description"] = description });

    private static Task WriteGoogleErrorAsync(HttpContext context, int code, string status, string message) =>
        WriteJsonAsync(context, code, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message, ["status"] = status } });

    private static async Task WriteJsonAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(body.ToJsonString(PlainJson), context.RequestAborted);
    }

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '='));
    }

    [GeneratedRegex("^/v1/projects/(?<project>[^/]+)/secrets/(?<secret>[^/]+)/versions/(?<version>[^/:]+):access$")]
    private static partial Regex AccessPath();
}
