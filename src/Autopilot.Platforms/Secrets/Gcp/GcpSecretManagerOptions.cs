using System.Text.RegularExpressions;

namespace Autopilot.Platforms.Secrets.Gcp;

/// <summary>Where <see cref="GcpSecretManagerProvider"/> reads secrets from.</summary>
/// <param name="ProjectId">Project id (or number) holding the secrets.</param>
/// <param name="Version">Version to read: <c>latest</c> or a version number.</param>
/// <param name="BaseAddress">API root; defaults to <see cref="DefaultBaseAddress"/>.</param>
public sealed partial record GcpSecretManagerOptions(string ProjectId, string Version = "latest", Uri? BaseAddress = null)
{
    /// <summary>The public Secret Manager endpoint.</summary>
    public static readonly Uri DefaultBaseAddress = new("https://secretmanager.googleapis.com/");

    /// <summary>Throws <see cref="ArgumentException"/> for values that cannot form a resource name.</summary>
    public GcpSecretManagerOptions Validate()
    {
        if (!ProjectIdPattern().IsMatch(ProjectId ?? ""))
        {
            throw new ArgumentException($"'{ProjectId}' is not a Google Cloud project id or number.", nameof(ProjectId));
        }

        if (Version != "latest" && !VersionPattern().IsMatch(Version ?? ""))
        {
            throw new ArgumentException($"Secret version '{Version}' must be 'latest' or a positive number.", nameof(Version));
        }

        return this;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex ProjectIdPattern();

    [GeneratedRegex("^[1-9][0-9]{0,18}$")]
    private static partial Regex VersionPattern();
}
