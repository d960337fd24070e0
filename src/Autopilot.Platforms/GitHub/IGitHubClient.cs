namespace Autopilot.Platforms.GitHub;

/// <summary>
/// The GitHub REST operations the autopilot needs: incident issues (deduplicated), workflow dispatch, commits,
/// workflow runs and pull requests, and the reads of the readiness gate (check runs, a commit's diff, contents, tags)
/// with its commit comment. Failures are <see cref="GitHubApiException"/>s; rate limits are retried within
/// the configured patience and otherwise surface with <see cref="Http.PlatformException.RetryAfter"/>.
/// </summary>
public interface IGitHubClient
{
    /// <summary>Opens an issue with labels.</summary>
    Task<GitHubIssue> CreateIssueAsync(GitHubRepository repository, NewIssue issue, CancellationToken cancellationToken = default);

    /// <summary>Open issues (not pull requests) carrying <paramref name="label"/>, optionally only those whose body contains <paramref name="bodyMarker"/>.</summary>
    Task<IReadOnlyList<GitHubIssue>> FindOpenIssuesAsync(GitHubRepository repository, string label, string? bodyMarker = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Returns the open issue for an incident fingerprint, opening it only if none exists: the issue gets the
    /// fingerprint label and the body marker, so a later call finds it. <c>Created</c> says which happened.
    /// </summary>
    Task<(GitHubIssue Issue, bool Created)> OpenIssueOnceAsync(
        GitHubRepository repository, NewIssue issue, string fingerprintLabel, string bodyMarker, CancellationToken cancellationToken = default);

    /// <summary>Adds a comment to an issue or pull request.</summary>
    Task<GitHubComment> CommentAsync(GitHubRepository repository, int issueNumber, string body, CancellationToken cancellationToken = default);

    /// <summary>Closes an issue as completed.</summary>
    Task<GitHubIssue> CloseIssueAsync(GitHubRepository repository, int issueNumber, CancellationToken cancellationToken = default);

    /// <summary>Triggers a <c>workflow_dispatch</c> of <paramref name="workflowId"/> (file name or id) on <paramref name="gitRef"/>.</summary>
    Task DispatchWorkflowAsync(
        GitHubRepository repository, string workflowId, string gitRef, IReadOnlyDictionary<string, string>? inputs = null, CancellationToken cancellationToken = default);

    /// <summary>Commits on <paramref name="branch"/>, newest first, following pagination until <paramref name="maxCount"/>.</summary>
    Task<IReadOnlyList<GitHubCommit>> ListCommitsAsync(
        GitHubRepository repository, string branch, int maxCount = 100, DateTimeOffset? since = null, CancellationToken cancellationToken = default);

    /// <summary>All workflow runs for a commit (<c>head_sha</c>), following pagination.</summary>
    Task<IReadOnlyList<GitHubWorkflowRun>> ListWorkflowRunsForCommitAsync(GitHubRepository repository, string headSha, CancellationToken cancellationToken = default);

    /// <summary>Opens a pull request.</summary>
    Task<GitHubPullRequest> CreatePullRequestAsync(GitHubRepository repository, NewPullRequest pullRequest, CancellationToken cancellationToken = default);

    /// <summary>
    /// Merges a pull request; with <paramref name="expectedHeadSha"/> GitHub refuses (409,
    /// <see cref="GitHubHeadModifiedException"/>) if the head moved. Not mergeable → <see cref="GitHubPullRequestNotMergeableException"/>.
    /// </summary>
    Task<GitHubMergeResult> MergePullRequestAsync(
        GitHubRepository repository, int pullNumber, MergeMethod method = MergeMethod.Squash, string? expectedHeadSha = null, CancellationToken cancellationToken = default);

    /// <summary>All check runs of a commit (<c>GET /repos/{owner}/{repo}/commits/{ref}/check-runs</c>), following pagination.</summary>
    Task<IReadOnlyList<GitHubCheckRun>> ListCheckRunsForRefAsync(GitHubRepository repository, string gitRef, CancellationToken cancellationToken = default);

    /// <summary>One commit with the files it changed and their patches (<c>GET /repos/{owner}/{repo}/commits/{ref}</c>).</summary>
    Task<GitHubCommitDetail> GetCommitAsync(GitHubRepository repository, string gitRef, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether <paramref name="path"/> exists in the repository at <paramref name="gitRef"/>
    /// (<c>GET /repos/{owner}/{repo}/contents/{path}?ref=</c>; a 404 is <c>false</c>, any other error is thrown).
    /// </summary>
    Task<bool> ContentExistsAsync(GitHubRepository repository, string path, string gitRef, CancellationToken cancellationToken = default);

    /// <summary>
    /// The files directly in <paramref name="folder"/> at <paramref name="gitRef"/> with their text
    /// (<c>GET /repos/{owner}/{repo}/contents/{folder}?ref=</c>, then the same for each file); sub-folders are skipped and
    /// a folder that does not exist (404) has no files.
    /// </summary>
    Task<IReadOnlyList<GitHubFile>> ReadFolderAsync(GitHubRepository repository, string folder, string gitRef, CancellationToken cancellationToken = default);

    /// <summary>Tags of the repository, newest first as GitHub lists them (<c>GET /repos/{owner}/{repo}/tags</c>), up to <paramref name="maxCount"/>.</summary>
    Task<IReadOnlyList<GitHubTag>> ListTagsAsync(GitHubRepository repository, int maxCount = 100, CancellationToken cancellationToken = default);

    /// <summary>Comments on a commit (<c>POST /repos/{owner}/{repo}/commits/{sha}/comments</c>).</summary>
    Task<GitHubComment> CommentOnCommitAsync(GitHubRepository repository, string sha, string body, CancellationToken cancellationToken = default);
}
