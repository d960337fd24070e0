using Autopilot.Platforms.GitHub;
using Autopilot.Simulator.Hosting;
using System.Text.Json.Nodes;
using Xunit;

namespace Autopilot.Platforms.Tests.GitHub;

/// <summary>
/// Every request the client sends and every answer the fake gives are checked against GitHub's OpenAPI
/// description (the trimmed 11-operation subset in Spec/).
/// </summary>
public sealed class GitHubSpecTests
{
    /// <summary>
    /// Endpoints the client needs that the trimmed subset does not carry. They are matched exactly (method and
    /// template, taken from GitHub's REST reference) so anything else the client might send still fails.
    /// </summary>
    private static readonly (string Method, string Template)[] OutsideSubset =
    [
        ("GET", "/repos/{owner}/{repo}/issues"),
        ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
        ("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}"),
        // The readiness gate's reads and its commit comment.
        ("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs"),
        ("GET", "/repos/{owner}/{repo}/commits/{ref}"),
        ("GET", "/repos/{owner}/{repo}/contents/{path}"),
        ("GET", "/repos/{owner}/{repo}/tags"),
        ("POST", "/repos/{owner}/{repo}/commits/{commit_sha}/comments"),
    ];

    private readonly OpenApiSpec _spec = new(OpenApiSpec.DefaultPath());

    private static async Task<IReadOnlyList<RecordedExchange>> TourAsync()
    {
        await using var bed = await GitHubTestBed.StartAsync();
        var client = bed.CreateClient();
        var repo = bed.Repository;
        bed.Fake.AddWorkflow(GitHubTestBed.Owner, GitHubTestBed.RepoName, 31, "deploy.yml", "Deploy");
        var sha = bed.Fake.PushCommit(GitHubTestBed.Owner, GitHubTestBed.RepoName, "main", "fix");
        bed.Fake.AddWorkflowRun(GitHubTestBed.Owner, GitHubTestBed.RepoName, 31, sha, "completed", "failure");
        for (var i = 0; i < 3; i++) bed.Fake.PushCommit(GitHubTestBed.Owner, GitHubTestBed.RepoName, "main", $"c{i}");

        var (issue, _) = await client.OpenIssueOnceAsync(repo, new NewIssue("incident", "body", ["incident"]), "fp:x", "<!-- fp:x -->");
        await client.OpenIssueOnceAsync(repo, new NewIssue("incident", "body", ["incident"]), "fp:x", "<!-- fp:x -->");
        await client.CommentAsync(repo, issue.Number, "update");
        await client.CloseIssueAsync(repo, issue.Number);
        await client.DispatchWorkflowAsync(repo, "deploy.yml", "main", new Dictionary<string, string> { ["reason"] = "drill" });
        await client.DispatchWorkflowAsync(repo, "31", "main");
        await client.ListCommitsAsync(repo, "main", maxCount: 3, since: bed.Clock.GetUtcNow().AddDays(-1));
        await client.ListCommitsAsync(repo, "main", maxCount: 150);
        await client.ListWorkflowRunsForCommitAsync(repo, sha);
        bed.Fake.AddCheckRun(GitHubTestBed.Owner, GitHubTestBed.RepoName, sha, "unit-tests", "completed", "success");
        bed.Fake.AddFile(GitHubTestBed.Owner, GitHubTestBed.RepoName, "README.md", "# web");
        bed.Fake.AddTag(GitHubTestBed.Owner, GitHubTestBed.RepoName, "v1.0.0", sha);
        await client.ListCheckRunsForRefAsync(repo, sha);
        await client.GetCommitAsync(repo, sha);
        await client.ContentExistsAsync(repo, "README.md", sha);
        await client.ContentExistsAsync(repo, "MISSING.md", sha);
        await client.ListTagsAsync(repo);
        await client.CommentOnCommitAsync(repo, sha, "readiness NO-GO");
        bed.Fake.PushCommit(GitHubTestBed.Owner, GitHubTestBed.RepoName, "revert", "revert");
        var pull = await client.CreatePullRequestAsync(repo, new NewPullRequest("Revert", "revert", "main", "why", Draft: false));
        await client.MergePullRequestAsync(repo, pull.Number, MergeMethod.Rebase, pull.HeadSha);

        // Error answers are part of the contract too.
        await Assert.ThrowsAsync<GitHubPullRequestNotMergeableException>(() => client.MergePullRequestAsync(repo, pull.Number));
        var other = await client.CreatePullRequestAsync(repo, new NewPullRequest("Other", "revert", "main"));
        bed.Fake.PushCommit(GitHubTestBed.Owner, GitHubTestBed.RepoName, "revert", "more");
        await Assert.ThrowsAsync<GitHubHeadModifiedException>(() => client.MergePullRequestAsync(repo, other.Number, MergeMethod.Merge, other.HeadSha));
        await Assert.ThrowsAsync<GitHubApiException>(() => client.CreatePullRequestAsync(repo, new NewPullRequest("bad", "missing", "main")));
        await Assert.ThrowsAsync<GitHubApiException>(() => client.DispatchWorkflowAsync(repo, "missing.yml", "main"));
        bed.Fake.RespondSecondaryRateLimited(TimeSpan.FromMinutes(30));
        await Assert.ThrowsAsync<GitHubRateLimitedException>(() => client.ListWorkflowRunsForCommitAsync(repo, sha));
        bed.Fake.RespondPrimaryRateLimited(bed.Clock.GetUtcNow().AddHours(1));
        await Assert.ThrowsAsync<GitHubRateLimitedException>(() => client.ListCommitsAsync(repo, "main"));
        await Assert.ThrowsAsync<GitHubApiException>(() => bed.CreateClient(new PersonalAccessTokenSource("ghp_nope")).CreateIssueAsync(repo, new NewIssue("t", "b", [])));
        return bed.Fake.Exchanges;
    }

    [Fact]
    public async Task Every_request_the_client_sends_matches_an_operation_with_its_parameters_and_body()
    {
        var exchanges = await TourAsync();

        var used = new HashSet<string>();
        foreach (var exchange in exchanges)
        {
            var operation = _spec.Match(exchange.Method, exchange.Path);
            if (operation is null)
            {
                Assert.True(OutsideSubset.Any(o => o.Method == exchange.Method && OpenApiSpec.TemplatePattern(o.Template).IsMatch(exchange.Path)),
                    $"{exchange.Method} {exchange.Path} is neither in the spec nor a known GitHub endpoint.");
                continue;
            }
            used.Add(operation.Definition.GetProperty("operationId").GetString()!);
            var problems = _spec.CheckRequest(operation, exchange);
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }
        Assert.Equal(
            ["actions/create-workflow-dispatch", "actions/list-workflow-runs-for-repo", "apps/create-installation-access-token",
             "issues/create", "pulls/create", "pulls/merge", "repos/list-commits"],
            used.Order());
    }

    [Fact]
    public async Task Every_answer_the_fake_gives_matches_the_documented_response_schema()
    {
        var exchanges = await TourAsync();

        var checkedStatuses = new HashSet<int>();
        foreach (var exchange in exchanges)
        {
            var operation = _spec.Match(exchange.Method, exchange.Path);
            if (operation is null) continue;
            checkedStatuses.Add(exchange.StatusCode);
            var problems = _spec.CheckResponse(operation, exchange);
            Assert.True(problems.Count == 0, string.Join("\n", problems.Take(10)));
        }
        Assert.Superset(new HashSet<int> { 200, 201, 204, 401, 403, 404, 405, 409, 422 }, checkedStatuses);
    }

    [Fact]
    public async Task A_commit_with_its_files_as_the_fake_serves_it_matches_the_commit_schema()
    {
        await using var bed = await GitHubTestBed.StartAsync();
        var sha = bed.Fake.PushCommit(GitHubTestBed.Owner, GitHubTestBed.RepoName, "main", "config",
            [new Autopilot.Simulator.GitHub.GitHubFakeFileChange("src/app.ts", "@@ -1 +1 @@\n-a\n+b"),
             new Autopilot.Simulator.GitHub.GitHubFakeFileChange("logo.png", null, "added")]);
        await bed.CreateClient().GetCommitAsync(bed.Repository, sha);
        var exchange = bed.Fake.Exchanges.Single(e => e.Path == $"/repos/acme/web/commits/{sha}");
        var schema = System.Text.Json.JsonDocument.Parse("""{"$ref": "#/components/schemas/commit"}""").RootElement;

        var problems = _spec.Validate(schema, JsonNode.Parse(exchange.ResponseBody), "commit");

        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(10)));
        Assert.Equal(2, JsonNode.Parse(exchange.ResponseBody)!["files"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("""{"token": "x"}""", "required property expires_at is missing")]
    [InlineData("""{"token": 5, "expires_at": "2025-01-01T00:00:00Z"}""", "expected string")]
    public void The_schema_checker_catches_missing_and_mistyped_properties(string body, string expected)
    {
        var schema = System.Text.Json.JsonDocument.Parse("""{"$ref": "#/components/schemas/installation-token"}""").RootElement;

        var problems = _spec.Validate(schema, JsonNode.Parse(body), "token");

        Assert.Contains(problems, p => p.Contains(expected));
    }

    [Fact]
    public void The_request_checker_catches_undeclared_query_parameters_and_missing_bodies()
    {
        var commits = _spec.Match("GET", "/repos/a/b/commits")!;
        var dispatch = _spec.Match("POST", "/repos/a/b/actions/workflows/1/dispatches")!;
        var headers = new Dictionary<string, string>();

        var queryProblems = _spec.CheckRequest(commits, new RecordedExchange("GET", "/repos/a/b/commits", "?branch=main&per_page=x", headers, "", 200, headers, "[]", default));
        var bodyProblems = _spec.CheckRequest(dispatch, new RecordedExchange("POST", "/repos/a/b/actions/workflows/1/dispatches", "", headers, """{"inputs":{}}""", 204, headers, "", default));

        Assert.Contains(queryProblems, p => p.Contains("query parameter branch is not in the spec"));
        Assert.Contains(queryProblems, p => p.Contains("is not an integer"));
        Assert.Contains(bodyProblems, p => p.Contains("required property ref is missing"));
    }
}
