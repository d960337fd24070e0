using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;
using Microsoft.Extensions.Logging;
using Octokit;
using Octo = Octokit;

namespace Autopilot.Platforms.GitHub;

/// <summary>
/// GitHub REST v3 through Octokit, authenticated through an <see cref="IGitHubTokenSource"/>. Octokit builds the
/// requests, follows <c>Link</c> paging and reads the responses; this class keeps the product's contract:
/// <see cref="PlatformResilience"/> retries and attempt timeouts, Octokit's exceptions mapped onto
/// <see cref="GitHubApiException"/> and its subclasses (rate limits as waits, 405/409 on merge as typed errors),
/// and a 401 invalidating the cached token.
/// </summary>
public sealed class GitHubClient : IGitHubClient
{
    private const int PageSize = 100;

    private readonly IGitHubTokenSource _tokens;
    private readonly Octo.GitHubClient _octokit;
    private readonly OctokitErrors _errors;
    private readonly PlatformResilience _resilience;
    private readonly ILogger _logger;

    /// <summary>Creates the client; requests leave through <paramref name="http"/>.</summary>
    public GitHubClient(HttpClient http, GitHubClientOptions options, IGitHubTokenSource tokens, TimeProvider timeProvider, Redactor redactor, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tokens);
        _tokens = tokens;
        _logger = logger;
        _octokit = new OctokitConnection(http, options, ct => tokens.GetTokenAsync(ct)).Client;
        _errors = new OctokitErrors(options, timeProvider, redactor);
        _resilience = new PlatformResilience("github", options.Call, timeProvider, redactor, logger);
    }

    /// <inheritdoc />
    public Task<GitHubIssue> CreateIssueAsync(GitHubRepository repository, NewIssue issue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issue);
        ArgumentException.ThrowIfNullOrWhiteSpace(issue.Title, nameof(issue.Title));
        var (owner, name) = Repo(repository);
        var request = new Octo.NewIssue(issue.Title) { Body = issue.Body };
        foreach (var label in issue.Labels) request.Labels.Add(label);
        return CallAsync($"POST /repos/{owner}/{name}/issues", () => _octokit.Issue.Create(owner, name, request), ToIssue, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GitHubIssue>> FindOpenIssuesAsync(
        GitHubRepository repository, string label, string? bodyMarker = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(label);
        var (owner, name) = Repo(repository);
        var request = new RepositoryIssueRequest { State = ItemStateFilter.Open };
        request.Labels.Add(label);
        var issues = await CallAsync($"GET /repos/{owner}/{name}/issues",
            () => _octokit.Issue.GetAllForRepository(owner, name, request, new ApiOptions { PageSize = PageSize }), all => all, cancellationToken).ConfigureAwait(false);
        return issues
            .Where(issue => issue.PullRequest is null) // the issues list also returns pull requests
            .Select(ToIssue)
            .Where(issue => bodyMarker is null || (issue.Body?.Contains(bodyMarker, StringComparison.Ordinal) ?? false))
            .ToArray();
    }

    /// <inheritdoc />
    public async Task<(GitHubIssue Issue, bool Created)> OpenIssueOnceAsync(
        GitHubRepository repository, NewIssue issue, string fingerprintLabel, string bodyMarker, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issue);
        ArgumentException.ThrowIfNullOrWhiteSpace(bodyMarker);
        var existing = await FindOpenIssuesAsync(repository, fingerprintLabel, bodyMarker, cancellationToken).ConfigureAwait(false);
        if (existing.Count > 0) return (existing.MinBy(i => i.Number)!, false);
        var labelled = issue with
        {
            Labels = issue.Labels.Contains(fingerprintLabel) ? issue.Labels : [.. issue.Labels, fingerprintLabel],
            Body = issue.Body.Contains(bodyMarker, StringComparison.Ordinal) ? issue.Body : $"{issue.Body}\n\n{bodyMarker}",
        };
        return (await CreateIssueAsync(repository, labelled, cancellationToken).ConfigureAwait(false), true);
    }

    /// <inheritdoc />
    public Task<GitHubComment> CommentAsync(GitHubRepository repository, int issueNumber, string body, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(issueNumber, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(body);
        var (owner, name) = Repo(repository);
        return CallAsync($"POST /repos/{owner}/{name}/issues/{issueNumber}/comments",
            () => _octokit.Issue.Comment.Create(owner, name, issueNumber, body),
            comment => new GitHubComment(comment.Id, comment.Body ?? "", comment.HtmlUrl), cancellationToken);
    }

    /// <inheritdoc />
    public Task<GitHubIssue> CloseIssueAsync(GitHubRepository repository, int issueNumber, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(issueNumber, 1);
        var (owner, name) = Repo(repository);
        return CallAsync($"PATCH /repos/{owner}/{name}/issues/{issueNumber}",
            () => _octokit.Issue.Update(owner, name, issueNumber, new IssueUpdate { State = ItemState.Closed, StateReason = ItemStateReason.Completed }),
            ToIssue, cancellationToken);
    }

    /// <inheritdoc />
    public Task DispatchWorkflowAsync(
        GitHubRepository repository, string workflowId, string gitRef, IReadOnlyDictionary<string, string>? inputs = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workflowId);
        ArgumentException.ThrowIfNullOrWhiteSpace(gitRef);
        if (inputs is { Count: > 25 }) throw new ArgumentException("GitHub accepts at most 25 workflow_dispatch inputs.", nameof(inputs));
        var (owner, name) = Repo(repository);
        var dispatch = new CreateWorkflowDispatch(gitRef)
        {
            Inputs = inputs?.ToDictionary(i => i.Key, i => (object)i.Value),
        };
        return CallAsync($"POST /repos/{owner}/{name}/actions/workflows/{workflowId}/dispatches", async () =>
        {
            if (long.TryParse(workflowId, out var numericId))
                await _octokit.Actions.Workflows.CreateDispatch(owner, name, numericId, dispatch).ConfigureAwait(false);
            else
                await _octokit.Actions.Workflows.CreateDispatch(owner, name, workflowId, dispatch).ConfigureAwait(false);
            return true;
        }, _ => true, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GitHubCommit>> ListCommitsAsync(
        GitHubRepository repository, string branch, int maxCount = 100, DateTimeOffset? since = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(branch);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var (owner, name) = Repo(repository);
        var pageSize = Math.Min(PageSize, maxCount);
        var request = new CommitRequest { Sha = branch, Since = since?.ToUniversalTime() };
        var options = new ApiOptions { PageSize = pageSize, PageCount = (maxCount + pageSize - 1) / pageSize };
        var commits = await CallAsync($"GET /repos/{owner}/{name}/commits",
            () => _octokit.Repository.Commit.GetAll(owner, name, request, options), all => all, cancellationToken).ConfigureAwait(false);
        return commits.Take(maxCount)
            .Select(c => new GitHubCommit(c.Sha, c.Commit.Message, c.Commit.Author?.Name, c.Commit.Author?.Date, c.HtmlUrl))
            .ToArray();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GitHubWorkflowRun>> ListWorkflowRunsForCommitAsync(
        GitHubRepository repository, string headSha, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(headSha);
        var (owner, name) = Repo(repository);
        var response = await CallAsync($"GET /repos/{owner}/{name}/actions/runs",
            () => _octokit.Actions.Workflows.Runs.List(owner, name, new WorkflowRunsRequest { HeadSha = headSha }, new ApiOptions { PageSize = PageSize }),
            all => all, cancellationToken).ConfigureAwait(false);
        return response.WorkflowRuns.Select(run => new GitHubWorkflowRun(
            run.Id, run.Name, run.HeadSha, run.HeadBranch, run.Event, run.Status.StringValue, run.Conclusion?.StringValue,
            run.WorkflowId, run.HtmlUrl, run.CreatedAt)).ToArray();
    }

    /// <inheritdoc />
    public Task<GitHubPullRequest> CreatePullRequestAsync(GitHubRepository repository, NewPullRequest pullRequest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pullRequest);
        ArgumentException.ThrowIfNullOrWhiteSpace(pullRequest.Head, nameof(pullRequest.Head));
        ArgumentException.ThrowIfNullOrWhiteSpace(pullRequest.Base, nameof(pullRequest.Base));
        var (owner, name) = Repo(repository);
        var request = new Octo.NewPullRequest(pullRequest.Title, pullRequest.Head, pullRequest.Base) { Body = pullRequest.Body, Draft = pullRequest.Draft };
        return CallAsync($"POST /repos/{owner}/{name}/pulls", () => _octokit.PullRequest.Create(owner, name, request),
            pr => new GitHubPullRequest(pr.Id, pr.Number, pr.State.StringValue, pr.Title, pr.Head.Sha, pr.Head.Ref, pr.Base.Ref, pr.Merged, pr.Mergeable, pr.HtmlUrl),
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<GitHubMergeResult> MergePullRequestAsync(
        GitHubRepository repository, int pullNumber, MergeMethod method = MergeMethod.Squash, string? expectedHeadSha = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pullNumber, 1);
        var (owner, name) = Repo(repository);
        var request = new MergePullRequest
        {
            MergeMethod = method switch
            {
                MergeMethod.Merge => PullRequestMergeMethod.Merge,
                MergeMethod.Rebase => PullRequestMergeMethod.Rebase,
                _ => PullRequestMergeMethod.Squash,
            },
            Sha = expectedHeadSha,
        };
        return CallAsync($"PUT /repos/{owner}/{name}/pulls/{pullNumber}/merge", () => _octokit.PullRequest.Merge(owner, name, pullNumber, request),
            merge => new GitHubMergeResult(merge.Sha, merge.Merged, merge.Message), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GitHubCheckRun>> ListCheckRunsForRefAsync(GitHubRepository repository, string gitRef, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(gitRef);
        var (owner, name) = Repo(repository);
        var response = await CallAsync($"GET /repos/{owner}/{name}/commits/{gitRef}/check-runs",
            () => _octokit.Check.Run.GetAllForReference(owner, name, gitRef, new CheckRunRequest(), new ApiOptions { PageSize = PageSize }),
            all => all, cancellationToken).ConfigureAwait(false);
        return response.CheckRuns.Select(run => new GitHubCheckRun(
            run.Id, run.Name, run.Status.StringValue, run.Conclusion?.StringValue, run.App?.Slug, run.HtmlUrl)).ToArray();
    }

    /// <inheritdoc />
    public Task<GitHubCommitDetail> GetCommitAsync(GitHubRepository repository, string gitRef, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(gitRef);
        var (owner, name) = Repo(repository);
        return CallAsync($"GET /repos/{owner}/{name}/commits/{gitRef}", () => _octokit.Repository.Commit.Get(owner, name, gitRef),
            commit => new GitHubCommitDetail(
                commit.Sha,
                commit.Commit?.Message ?? "",
                (commit.Files ?? []).Select(f => new GitHubCommitFile(f.Filename, f.Status, f.Patch)).ToArray(),
                commit.HtmlUrl),
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<bool> ContentExistsAsync(GitHubRepository repository, string path, string gitRef, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(gitRef);
        var (owner, name) = Repo(repository);
        try
        {
            var contents = await CallAsync($"GET /repos/{owner}/{name}/contents/{path}",
                () => _octokit.Repository.Content.GetAllContentsByRef(owner, name, path.TrimStart('/'), gitRef), all => all, cancellationToken).ConfigureAwait(false);
            return contents.Count > 0;
        }
        catch (GitHubApiException e) when (e.StatusCode == 404)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GitHubFile>> ReadFolderAsync(GitHubRepository repository, string folder, string gitRef, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentException.ThrowIfNullOrWhiteSpace(gitRef);
        var (owner, name) = Repo(repository);
        var path = folder.Trim('/');
        IReadOnlyList<RepositoryContent> entries;
        try
        {
            entries = await CallAsync($"GET /repos/{owner}/{name}/contents/{path}",
                () => _octokit.Repository.Content.GetAllContentsByRef(owner, name, path, gitRef), all => all, cancellationToken).ConfigureAwait(false);
        }
        catch (GitHubApiException e) when (e.StatusCode == 404)
        {
            return [];
        }

        var files = new List<GitHubFile>();
        foreach (var entry in entries.Where(e => e.Type.Value == ContentType.File).OrderBy(e => e.Path, StringComparer.Ordinal))
        {
            var read = await CallAsync($"GET /repos/{owner}/{name}/contents/{entry.Path}",
                () => _octokit.Repository.Content.GetAllContentsByRef(owner, name, entry.Path, gitRef), all => all, cancellationToken).ConfigureAwait(false);
            files.Add(new GitHubFile(entry.Path, entry.Name, read.Count > 0 ? read[0].Content ?? "" : ""));
        }

        return files;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GitHubTag>> ListTagsAsync(GitHubRepository repository, int maxCount = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var (owner, name) = Repo(repository);
        var pageSize = Math.Min(PageSize, maxCount);
        var options = new ApiOptions { PageSize = pageSize, PageCount = (maxCount + pageSize - 1) / pageSize };
        var tags = await CallAsync($"GET /repos/{owner}/{name}/tags", () => _octokit.Repository.GetAllTags(owner, name, options), all => all, cancellationToken)
            .ConfigureAwait(false);
        return tags.Take(maxCount).Select(tag => new GitHubTag(tag.Name, tag.Commit?.Sha ?? "")).ToArray();
    }

    /// <inheritdoc />
    public Task<GitHubComment> CommentOnCommitAsync(GitHubRepository repository, string sha, string body, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sha);
        ArgumentException.ThrowIfNullOrWhiteSpace(body);
        var (owner, name) = Repo(repository);
        return CallAsync($"POST /repos/{owner}/{name}/commits/{sha}/comments",
            () => _octokit.Repository.Comment.Create(owner, name, sha, new NewCommitComment(body)),
            comment => new GitHubComment(comment.Id, comment.Body ?? "", comment.HtmlUrl), cancellationToken);
    }

    private static GitHubIssue ToIssue(Issue issue) => new(
        issue.Id, issue.Number, issue.Title, issue.State.StringValue, issue.Body, issue.Labels.Select(l => l.Name).ToArray(), issue.HtmlUrl);

    private static (string Owner, string Name) Repo(GitHubRepository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrWhiteSpace(repository.Owner, nameof(repository.Owner));
        ArgumentException.ThrowIfNullOrWhiteSpace(repository.Name, nameof(repository.Name));
        return (repository.Owner, repository.Name);
    }

    private Task<TResult> CallAsync<T, TResult>(string operation, Func<Task<T>> call, Func<T, TResult> read, CancellationToken cancellationToken) =>
        _resilience.ExecuteAsync(async ct =>
        {
            try
            {
                var result = await OctokitConnection.RunAsync(call, ct).ConfigureAwait(false);
                _errors.Succeeded();
                _logger.LogDebug("GitHub {Operation} succeeded", operation);
                return read(result);
            }
            catch (ApiException e)
            {
                var mapped = _errors.Map(operation, e);
                _logger.LogDebug("GitHub {Operation} answered {StatusCode}: {Message}", operation, mapped.StatusCode, mapped.ApiMessage);
                if (mapped.StatusCode == 401) _tokens.Invalidate();
                throw mapped;
            }
        }, cancellationToken);
}
