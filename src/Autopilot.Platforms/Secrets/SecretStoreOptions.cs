namespace Autopilot.Platforms.Secrets;

/// <summary>Tuning for <see cref="SecretStore"/>.</summary>
/// <param name="CacheTtl">
/// How long a resolved value is served from memory. Short enough that a rotation is picked up without a
/// restart, long enough that hot paths do not call a cloud API per request. Zero disables caching.
/// </param>
public sealed record SecretStoreOptions(TimeSpan CacheTtl)
{
    /// <summary>Five minutes.</summary>
    public static SecretStoreOptions Default { get; } = new(TimeSpan.FromMinutes(5));
}
