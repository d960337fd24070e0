namespace Autopilot.Actors.Configuration;

/// <summary>
/// Decides which keys hold secrets: those whose last segment mentions token, secret, password or
/// key. Matching is deliberately broad; hiding a harmless value costs little, leaking a credential a lot.
/// </summary>
public static class SecretKeyPattern
{
    private static readonly string[] Markers = ["token", "secret", "password", "key"];

    /// <summary>True when a key (the last segment of a path) looks like it holds a secret.</summary>
    public static bool IsSecret(string keySegment) =>
        Markers.Any(marker => keySegment.Contains(marker, StringComparison.OrdinalIgnoreCase));
}
