using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;

namespace Autopilot.Platforms.Secrets.Gcp;

/// <summary>
/// Uses an access token placed in an environment variable (by default <c>GOOGLE_OAUTH_ACCESS_TOKEN</c>, the
/// variable gcloud-based tooling exports). Read on every call so an external refresher can replace it; its
/// expiry is unknown, so a stale token shows up as a 401 from the API.
/// </summary>
public sealed class EnvironmentAccessTokenSource : IGoogleAccessTokenSource
{
    /// <summary>The variable read when none is given.</summary>
    public const string DefaultVariable = "GOOGLE_OAUTH_ACCESS_TOKEN";

    private readonly string _variable;
    private readonly Redactor _redactor;
    private readonly Func<string, string?> _readVariable;

    /// <summary>Creates the source; <paramref name="readVariable"/> defaults to the process environment.</summary>
    public EnvironmentAccessTokenSource(Redactor redactor, string variable = DefaultVariable, Func<string, string?>? readVariable = null)
    {
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentException.ThrowIfNullOrWhiteSpace(variable);
        _redactor = redactor;
        _variable = variable;
        _readVariable = readVariable ?? Environment.GetEnvironmentVariable;
    }

    /// <inheritdoc />
    public string Description => $"access token from ${_variable}";

    /// <inheritdoc />
    public ValueTask<GoogleAccessToken> GetTokenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var value = _readVariable(_variable)?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            throw new PlatformAuthenticationException(GcpPlatform.Name, $"No Google access token: ${_variable} is not set.", statusCode: null);
        }

        _redactor.Register(value);
        return ValueTask.FromResult(new GoogleAccessToken(value, DateTimeOffset.MaxValue));
    }
}
