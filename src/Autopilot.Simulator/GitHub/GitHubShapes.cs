using System.Globalization;
using System.Text.Json.Nodes;

namespace Autopilot.Simulator.GitHub;

/// <summary>
/// Builds response objects with every property GitHub's OpenAPI description marks as required, so clients are
/// exercised against realistic payloads (and the fake's own answers can be checked against the spec).
/// </summary>
internal sealed class GitHubShapes(Uri apiRoot)
{
    private static readonly string[] UserUrlFields =
        ["followers_url", "following_url", "gists_url", "starred_url", "subscriptions_url", "organizations_url", "repos_url", "events_url", "received_events_url"];

    private static readonly string[] RepositoryUrlFields =
    [
        "archive_url", "assignees_url", "blobs_url", "branches_url", "collaborators_url", "comments_url", "commits_url", "compare_url",
        "contents_url", "contributors_url", "deployments_url", "downloads_url", "events_url", "forks_url", "git_commits_url", "git_refs_url",
        "git_tags_url", "hooks_url", "issue_comment_url", "issue_events_url", "issues_url", "keys_url", "labels_url", "languages_url",
        "merges_url", "milestones_url", "notifications_url", "pulls_url", "releases_url", "stargazers_url", "statuses_url",
        "subscribers_url", "subscription_url", "tags_url", "teams_url", "trees_url",
    ];

    public string Api(string path) => new Uri(apiRoot, path.TrimStart('/')).AbsoluteUri;

    public static string Html(string path) => $"https://github.com/{path.TrimStart('/')}";

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public JsonObject User(string login, long id)
    {
        var user = new JsonObject
        {
            ["login"] = login,
            ["id"] = id,
            ["node_id"] = NodeId("U", id),
            ["avatar_url"] = $"https://avatars.githubusercontent.com/u/{id}?v=4",
            ["gravatar_id"] = "",
            ["url"] = Api($"users/{login}"),
            ["html_url"] = Html(login),
            ["type"] = login.EndsWith("[bot]", StringComparison.Ordinal) ? "Bot" : "User",
            ["site_admin"] = false,
        };
        foreach (var field in UserUrlFields) user[field] = Api($"users/{login}/{field[..^4]}");
        return user;
    }

    public JsonObject Repository(string owner, string name, long id, string defaultBranch)
    {
        var full = $"{owner}/{name}";
        var repo = new JsonObject
        {
            ["id"] = id,
            ["node_id"] = NodeId("R", id),
            ["name"] = name,
            ["full_name"] = full,
            ["owner"] = User(owner, id + 1_000_000),
            ["private"] = true,
            ["html_url"] = Html(full),
            ["description"] = null,
            ["fork"] = false,
            ["url"] = Api($"repos/{full}"),
            ["git_url"] = $"git://github.com/{full}.git",
            ["ssh_url"] = $"git@github.com:{full}.git",
            ["clone_url"] = $"https://github.com/{full}.git",
            ["svn_url"] = Html(full),
            ["mirror_url"] = null,
            ["homepage"] = null,
            ["language"] = "C#",
            ["forks"] = 0,
            ["forks_count"] = 0,
            ["stargazers_count"] = 0,
            ["watchers"] = 0,
            ["watchers_count"] = 0,
            ["size"] = 1024,
            ["default_branch"] = defaultBranch,
            ["open_issues"] = 0,
            ["open_issues_count"] = 0,
            ["has_issues"] = true,
            ["has_projects"] = false,
            ["has_wiki"] = false,
            ["has_pages"] = false,
            ["has_downloads"] = true,
            ["archived"] = false,
            ["disabled"] = false,
            ["license"] = null,
            ["pushed_at"] = "2025-01-01T00:00:00Z",
            ["created_at"] = "2024-01-01T00:00:00Z",
            ["updated_at"] = "2025-01-01T00:00:00Z",
        };
        foreach (var field in RepositoryUrlFields) repo[field] = Api($"repos/{full}/{field[..^4]}");
        return repo;
    }

    public JsonObject Label(string name, long id) => new()
    {
        ["id"] = id,
        ["node_id"] = NodeId("LA", id),
        ["url"] = Api($"labels/{Uri.EscapeDataString(name)}"),
        ["name"] = name,
        ["description"] = null,
        ["color"] = "ededed",
        ["default"] = false,
    };

    public static string NodeId(string prefix, long id) => $"{prefix}_kgDO{id:X8}";
}
