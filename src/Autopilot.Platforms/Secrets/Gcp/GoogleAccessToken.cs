namespace Autopilot.Platforms.Secrets.Gcp;

/// <summary>An OAuth 2.0 access token for Google APIs and when it stops working.</summary>
/// <param name="Value">The bearer token. Never logged: <see cref="ToString"/> omits it.</param>
/// <param name="ExpiresAt">Expiry on the issuing clock; <see cref="DateTimeOffset.MaxValue"/> when unknown.</param>
public sealed record GoogleAccessToken(string Value, DateTimeOffset ExpiresAt)
{
    /// <summary>Describes the token without its value, so a logged record cannot leak it.</summary>
    public override string ToString() => $"GoogleAccessToken {{ ExpiresAt = {ExpiresAt:O} }}";
}
