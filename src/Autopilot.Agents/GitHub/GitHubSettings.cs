using Autopilot.Agents.Configuration;
using Autopilot.Platforms.GitHub;

namespace Autopilot.Agents.GitHub;

/// <summary>A branch whose commits the autopilot follows (derived from the watched services).</summary>
/// <param name="Repository">Repository.</param>
/// <param name="Branch">Branch.</param>
public sealed record WatchedBranch(GitHubRepository Repository, string Branch);

/// <summary>Settings of the GitHub worker (<c>autopilot.agents.github</c>).</summary>
/// <param name="IncidentRepository">Where incident issues go when a service has no repository of its own.</param>
/// <param name="IssueLabels">Labels every incident issue gets (besides its fingerprint label).</param>
/// <param name="TokenRefreshInterval">How often the worker asks the token source for a token ahead of need, so expiry never surprises an action.</param>
/// <param name="Branches">Branches to follow.</param>
public sealed record GitHubSettings(GitHubRepository? IncidentRepository, IReadOnlyList<string> IssueLabels, TimeSpan TokenRefreshInterval, IReadOnlyList<WatchedBranch> Branches)
{
    /// <summary>Reads the <c>github</c> section; <paramref name="branches"/> come from the watched services.</summary>
    /// <exception cref="SettingException">A malformed key, named in the exception.</exception>
    public static GitHubSettings FromConfig(ConfigSection github, IReadOnlyList<WatchedBranch> branches)
    {
        ArgumentNullException.ThrowIfNull(github);
        var repositoryText = github.GetString("incident-repository", "") ?? "";
        GitHubRepository? repository;
        try
        {
            repository = repositoryText.Length == 0 ? null : GitHubRepository.Parse(repositoryText);
        }
        catch (FormatException e)
        {
            throw new SettingException(github.KeyOf("incident-repository"), e.Message, e);
        }

        var refresh = github.GetPositiveTimeSpan("token-refresh-interval");

        return new GitHubSettings(repository, github.GetStringList("issue-labels"), refresh, branches);
    }
}
