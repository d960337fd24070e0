namespace Autopilot.Platforms.Secrets.Gcp;

/// <summary>
/// Somewhere an access token for Google APIs comes from: the metadata server on Google infrastructure, a
/// service-account key elsewhere, or a token handed over in the environment. Sources that mint tokens cache
/// them until shortly before expiry.
/// </summary>
public interface IGoogleAccessTokenSource
{
    /// <summary>What kind of credential this is, for error messages.</summary>
    string Description { get; }

    /// <summary>Returns a token valid for at least a short while.</summary>
    /// <exception cref="Http.PlatformException">The token could not be obtained.</exception>
    ValueTask<GoogleAccessToken> GetTokenAsync(CancellationToken cancellationToken);
}
