namespace Autopilot.Platforms.N8n;

/// <summary>Constants of the n8n adapter.</summary>
public static class N8nPlatform
{
    /// <summary>The platform name reported in exceptions and <see cref="Http.PlatformCall"/>s.</summary>
    public const string Name = "n8n";

    /// <summary>Header carrying the public API key.</summary>
    public const string ApiKeyHeader = "X-N8N-API-KEY";
}
