using Autopilot.Platforms.Http;

namespace Autopilot.Platforms.GitHub;

/// <summary>How to reach GitHub's REST API.</summary>
public sealed record GitHubClientOptions
{
    /// <summary>GitHub.com's API root.</summary>
    public static readonly Uri DefaultBaseAddress = new("https://api.github.com/");

    /// <summary>API root; a GitHub Enterprise Server URL (<c>https://host/api/v3/</c>) or a fake in tests.</summary>
    public Uri BaseAddress { get; init; } = DefaultBaseAddress;

    /// <summary>Retry and timeout policy.</summary>
    public PlatformCallOptions Call { get; init; } = PlatformCallOptions.Default;

    /// <summary>GitHub rejects requests without a User-Agent.</summary>
    public string UserAgent { get; init; } = "Autopilot.Actors";

    /// <summary>The REST API version pinned through <c>X-GitHub-Api-Version</c>.</summary>
    public string ApiVersion { get; init; } = "2022-11-28";

    /// <summary>How many characters of a response body may appear in logs and errors (after redaction).</summary>
    public int SnippetLength { get; init; } = 300;

    /// <summary>Wait after a secondary rate limit without Retry-After; doubles while the limit keeps being hit.</summary>
    public TimeSpan SecondaryRateLimitWait { get; init; } = TimeSpan.FromMinutes(1);
}
