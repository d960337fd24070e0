namespace Autopilot.Platforms.GitHub;

/// <summary>A repository, <c>owner/name</c>.</summary>
public sealed record GitHubRepository(string Owner, string Name)
{
    /// <summary>Parses <c>owner/name</c>.</summary>
    /// <exception cref="FormatException">Not of that form.</exception>
    public static GitHubRepository Parse(string fullName)
    {
        var parts = fullName.Split('/');
        return parts.Length == 2 && parts.All(p => p.Length > 0 && !p.Any(char.IsWhiteSpace))
            ? new GitHubRepository(parts[0], parts[1])
            : throw new FormatException($"Expected a repository as owner/name, got \"{fullName}\".");
    }

    /// <inheritdoc />
    public override string ToString() => $"{Owner}/{Name}";
}

/// <summary>An issue to open.</summary>
public sealed record NewIssue(string Title, string Body, IReadOnlyList<string> Labels);

/// <summary>An issue as GitHub returned it.</summary>
public sealed record GitHubIssue(long Id, int Number, string Title, string State, string? Body, IReadOnlyList<string> Labels, string HtmlUrl);

/// <summary>A comment on an issue.</summary>
public sealed record GitHubComment(long Id, string Body, string HtmlUrl);

/// <summary>A commit on a branch.</summary>
public sealed record GitHubCommit(string Sha, string Message, string? AuthorName, DateTimeOffset? AuthoredAt, string HtmlUrl);

/// <summary>A GitHub Actions workflow run.</summary>
/// <param name="Id">Run id.</param>
/// <param name="Name">Workflow name.</param>
/// <param name="HeadSha">Commit it ran for.</param>
/// <param name="HeadBranch">Branch, when known.</param>
/// <param name="Event">Triggering event (<c>push</c>, <c>workflow_dispatch</c>, …).</param>
/// <param name="Status"><c>queued</c>, <c>in_progress</c>, <c>completed</c>, … (null when GitHub has none yet).</param>
/// <param name="Conclusion"><c>success</c>, <c>failure</c>, <c>cancelled</c>, … once completed.</param>
/// <param name="WorkflowId">Workflow id.</param>
/// <param name="HtmlUrl">Link for humans.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record GitHubWorkflowRun(
    long Id, string? Name, string HeadSha, string? HeadBranch, string Event, string? Status, string? Conclusion, long WorkflowId, string HtmlUrl, DateTimeOffset CreatedAt);

/// <summary>A pull request to open.</summary>
public sealed record NewPullRequest(string Title, string Head, string Base, string? Body = null, bool Draft = false);

/// <summary>A pull request as GitHub returned it.</summary>
public sealed record GitHubPullRequest(long Id, int Number, string State, string Title, string HeadSha, string HeadRef, string BaseRef, bool Merged, bool? Mergeable, string HtmlUrl);

/// <summary>How to merge a pull request.</summary>
public enum MergeMethod
{
    /// <summary>A merge commit.</summary>
    Merge,

    /// <summary>One squashed commit.</summary>
    Squash,

    /// <summary>Commits rebased onto the base.</summary>
    Rebase,
}

/// <summary>The outcome of a successful merge.</summary>
public sealed record GitHubMergeResult(string Sha, bool Merged, string Message);

/// <summary>A check run on a commit (GitHub Actions jobs, third-party CI, code scanning all report as check runs).</summary>
/// <param name="Id">Check run id.</param>
/// <param name="Name">Its name, e.g. <c>build (ubuntu-latest)</c> or <c>CodeQL</c>.</param>
/// <param name="Status"><c>queued</c>, <c>in_progress</c>, <c>completed</c>, …</param>
/// <param name="Conclusion"><c>success</c>, <c>failure</c>, <c>neutral</c>, … once completed.</param>
/// <param name="AppSlug">The GitHub App that reported it (e.g. <c>github-actions</c>, <c>github-advanced-security</c>), when known.</param>
/// <param name="HtmlUrl">Link for humans.</param>
public sealed record GitHubCheckRun(long Id, string Name, string Status, string? Conclusion, string? AppSlug, string? HtmlUrl);

/// <summary>A file a commit changed, with its diff when GitHub includes one (it omits it for binary and very large files).</summary>
/// <param name="Filename">Path in the repository.</param>
/// <param name="Status"><c>added</c>, <c>modified</c>, <c>removed</c>, <c>renamed</c>, …</param>
/// <param name="Patch">The unified diff hunk(s), or null.</param>
public sealed record GitHubCommitFile(string Filename, string Status, string? Patch);

/// <summary>One commit with the files it changed (<c>GET /repos/{owner}/{repo}/commits/{ref}</c>).</summary>
/// <param name="Sha">The commit.</param>
/// <param name="Message">Its message.</param>
/// <param name="Files">The files it changed (GitHub lists at most 300 on the first page).</param>
/// <param name="HtmlUrl">Link for humans.</param>
public sealed record GitHubCommitDetail(string Sha, string Message, IReadOnlyList<GitHubCommitFile> Files, string HtmlUrl);

/// <summary>A file of a repository with its contents.</summary>
/// <param name="Path">Path in the repository.</param>
/// <param name="Name">File name.</param>
/// <param name="Text">Contents, decoded as UTF-8.</param>
public sealed record GitHubFile(string Path, string Name, string Text);

/// <summary>A tag of a repository.</summary>
/// <param name="Name">Tag name, e.g. <c>v1.4.0</c>.</param>
/// <param name="Sha">The commit it points at.</param>
public sealed record GitHubTag(string Name, string Sha);
