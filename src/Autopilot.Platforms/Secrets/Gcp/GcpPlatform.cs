namespace Autopilot.Platforms.Secrets.Gcp;

/// <summary>Constants shared by the Google Cloud adapters.</summary>
public static class GcpPlatform
{
    /// <summary>The platform name reported in <see cref="Http.PlatformException.Platform"/> and <see cref="Http.PlatformCall.Platform"/>.</summary>
    public const string Name = "gcp";

    /// <summary>The OAuth scope Secret Manager accepts.</summary>
    public const string CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";
}
