using System.Text.Json;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;
using Microsoft.Extensions.Logging;

namespace Autopilot.Platforms.GitHub;

/// <summary>GitHub REST v3 client over <see cref="HttpClient"/>, authenticated through an <see cref="IGitHubTokenSource"/>.</summary>
public sealed class GitHubClient : IGitHubClient
{
    private const int PageSize = 100;

    private readonly GitHubClientOptions _options;
    private readonly IGitHubTokenSource _tokens;
    private readonly GitHubTransport _transport;
    private readonly PlatformResilience _resilience;

    /// <summary>Creates the client.</summary>
    public GitHubClient(HttpClient http, GitHubClientOptions options, IGitHubTokenSource tokens, TimeProvider timeProvider, Redactor redactor, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tokens);
        _options = options;
        _tokens = tokens;
        _transport = new GitHubTransport(http, options, timeProvider, redactor, logger);
        _resilience = new PlatformResilience("github", options.Call, timeProvider, redactor, logger);
    }

    /// <inheritdoc />
    public async Task<GitHubIssue> CreateIssueAsync(GitHubRepository repository, NewIssue issue, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(issue);
        ArgumentException.ThrowIfNullOrWhiteSpace(issue.Title, nameof(issue.Title));
        var response = await SendAsync(HttpMethod.Post, $"{Repo(repository)}/issues",
            new { title = issue.Title, body = issue.Body, labels = issue.Labels }, cancellationToken).ConfigureAwait(false);
        return GitHubJson.Issue(response.Json());
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GitHubIssue>> FindOpenIssuesAsync(
        GitHubRepository repository, string label, string? bodyMarker = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(label);
        var items = await ListAllAsync($"{Repo(repository)}/issues?state=open&labels={Uri.EscapeDataString(label)}&per_page={PageSize}",
            root => root.EnumerateArray(), int.MaxValue, cancellationToken).ConfigureAwait(false);
        return items
            .Where(item => !item.TryGetProperty("pull_request", out _)) // the issues list also returns pull requests
            .Select(GitHubJson.Issue)
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
    public async Task<GitHubComment> CommentAsync(GitHubRepository repository, int issueNumber, string body, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(issueNumber, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(body);
        var response = await SendAsync(HttpMethod.Post, $"{Repo(repository)}/issues/{issueNumber}/comments", new { body }, cancellationToken).ConfigureAwait(false);
        return GitHubJson.Comment(response.Json());
    }

    /// <inheritdoc />
    public async Task<GitHubIssue> CloseIssueAsync(GitHubRepository repository, int issueNumber, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(issueNumber, 1);
        var response = await SendAsync(HttpMethod.Patch, $"{Repo(repository)}/issues/{issueNumber}",
            new { state = "closed", state_reason = "completed" }, cancellationToken).ConfigureAwait(false);
        return GitHubJson.Issue(response.Json());
    }

    /// <inheritdoc />
    public async Task DispatchWorkflowAsync(
        GitHubRepository repository, string workflowId, string gitRef, IReadOnlyDictionary<string, string>? inputs = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workflowId);
        ArgumentException.ThrowIfNullOrWhiteSpace(gitRef);
        if (inputs is { Count: > 25 }) throw new ArgumentException("GitHub accepts at most 25 workflow_dispatch inputs.", nameof(inputs));
        await SendAsync(HttpMethod.Post, $"{Repo(repository)}/actions/workflows/{Uri.EscapeDataString(workflowId)}/dispatches",
            new { @ref = gitRef, inputs }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GitHubCommit>> ListCommitsAsync(
        GitHubRepository repository, string branch, int maxCount = 100, DateTimeOffset? since = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(branch);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var query = $"sha={Uri.EscapeDataString(branch)}&per_page={Math.Min(PageSize, maxCount)}";
        if (since is { } s) query += $"&since={Uri.EscapeDataString(s.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"))}";
        var items = await ListAllAsync($"{Repo(repository)}/commits?{query}", root => root.EnumerateArray(), maxCount, cancellationToken).ConfigureAwait(false);
        return items.Select(GitHubJson.Commit).ToArray();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<GitHubWorkflowRun>> ListWorkflowRunsForCommitAsync(
        GitHubRepository repository, string headSha, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(headSha);
        var items = await ListAllAsync($"{Repo(repository)}/actions/runs?head_sha={Uri.EscapeDataString(headSha)}&per_page={PageSize}",
            root => root.GetProperty("workflow_runs").EnumerateArray(), int.MaxValue, cancellationToken).ConfigureAwait(false);
        return items.Select(GitHubJson.WorkflowRun).ToArray();
    }

    /// <inheritdoc />
    public async Task<GitHubPullRequest> CreatePullRequestAsync(GitHubRepository repository, NewPullRequest pullRequest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pullRequest);
        ArgumentException.ThrowIfNullOrWhiteSpace(pullRequest.Head, nameof(pullRequest.Head));
        ArgumentException.ThrowIfNullOrWhiteSpace(pullRequest.Base, nameof(pullRequest.Base));
        var response = await SendAsync(HttpMethod.Post, $"{Repo(repository)}/pulls",
            new { title = pullRequest.Title, head = pullRequest.Head, @base = pullRequest.Base, body = pullRequest.Body, draft = pullRequest.Draft },
            cancellationToken).ConfigureAwait(false);
        return GitHubJson.PullRequest(response.Json());
    }

    /// <inheritdoc />
    public async Task<GitHubMergeResult> MergePullRequestAsync(
        GitHubRepository repository, int pullNumber, MergeMethod method = MergeMethod.Squash, string? expectedHeadSha = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pullNumber, 1);
        var response = await SendAsync(HttpMethod.Put, $"{Repo(repository)}/pulls/{pullNumber}/merge",
            new { merge_method = method.ToString().ToLowerInvariant(), sha = expectedHeadSha }, cancellationToken).ConfigureAwait(false);
        return GitHubJson.MergeResult(response.Json());
    }

    private static string Repo(GitHubRepository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrWhiteSpace(repository.Owner, nameof(repository.Owner));
        ArgumentException.ThrowIfNullOrWhiteSpace(repository.Name, nameof(repository.Name));
        return $"repos/{Uri.EscapeDataString(repository.Owner)}/{Uri.EscapeDataString(repository.Name)}";
    }

    private Task<GitHubResponse> SendAsync(HttpMethod method, string pathAndQuery, object? body, CancellationToken cancellationToken) =>
        _resilience.ExecuteAsync(async ct =>
        {
            var token = await _tokens.GetTokenAsync(ct).ConfigureAwait(false);
            try
            {
                return await _transport.SendAsync(method, pathAndQuery, body, token, ct).ConfigureAwait(false);
            }
            catch (GitHubApiException e) when (e.StatusCode == 401)
            {
                _tokens.Invalidate();
                throw;
            }
        }, cancellationToken);

    /// <summary>Follows <c>Link: rel="next"</c> until the last page or <paramref name="maxItems"/> items.</summary>
    private async Task<List<JsonElement>> ListAllAsync(
        string firstPage, Func<JsonElement, IEnumerable<JsonElement>> items, int maxItems, CancellationToken cancellationToken)
    {
        var collected = new List<JsonElement>();
        string? page = firstPage;
        while (page is not null && collected.Count < maxItems)
        {
            var response = await SendAsync(HttpMethod.Get, page, body: null, cancellationToken).ConfigureAwait(false);
            collected.AddRange(items(response.Json()).Take(maxItems - collected.Count));
            page = NextPage(response);
        }
        return collected;
    }

    /// <summary>
    /// The next page relative to the API root. A link pointing anywhere else is not followed: the request would
    /// carry our token to a foreign host.
    /// </summary>
    private string? NextPage(GitHubResponse response)
    {
        var next = LinkHeader.Next(response.Headers);
        if (next is null) return null;
        var absolute = next.IsAbsoluteUri ? next : new Uri(_options.BaseAddress, next);
        var root = _options.BaseAddress.AbsoluteUri;
        return absolute.AbsoluteUri.StartsWith(root, StringComparison.Ordinal)
            ? absolute.AbsoluteUri[root.Length..]
            : throw new GitHubApiException("GET (pagination)", response.StatusCode, "GitHub returned a next-page link outside the API root; not followed.", null, []);
    }
}
