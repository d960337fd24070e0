using Autopilot.Platforms.GitHub;
using Autopilot.Platforms.Http;
using Autopilot.Simulator.GitHub;
using Xunit;

namespace Autopilot.Platforms.Tests.GitHub;

public sealed class GitHubClientTests : IAsyncLifetime
{
    private const string Pat = "ghp_patvalue0123456789abcdef";
    private GitHubTestBed _bed = null!;
    private GitHubClient _client = null!;

    public async Task InitializeAsync()
    {
        _bed = await GitHubTestBed.StartAsync();
        _client = _bed.CreateClient();
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    private GitHubRepository Repo => _bed.Repository;

    private GitHubClient PatClient()
    {
        _bed.Fake.AddPersonalToken(Pat);
        return _bed.CreateClient(new PersonalAccessTokenSource(Pat));
    }

    [Fact]
    public async Task Issues_are_created_with_labels_and_the_standard_headers()
    {
        var issue = await _client.CreateIssueAsync(Repo, new NewIssue("Deploy of web crashed", "OOM after deploy 42", ["incident", "railway"]));

        Assert.Equal((1, "open", "Deploy of web crashed"), (issue.Number, issue.State, issue.Title));
        Assert.Equal(["incident", "railway"], issue.Labels);
        var request = _bed.Fake.Exchanges.Single(e => e.Path == "/repos/acme/web/issues");
        // Octokit asks for the v3 media type, which GitHub documents as equivalent to application/vnd.github+json.
        Assert.Contains(request.RequestHeaders["Accept"], new[] { "application/vnd.github+json", "application/vnd.github.v3+json" });
        Assert.Equal("2022-11-28", request.RequestHeaders["X-GitHub-Api-Version"]);
        Assert.StartsWith("Autopilot.Actors", request.RequestHeaders["User-Agent"]);
        Assert.StartsWith("Bearer ghs_", request.RequestHeaders["Authorization"]);
    }

    [Fact]
    public async Task An_incident_never_opens_two_issues()
    {
        var incident = new NewIssue("web is crashing", "details", ["incident"]);

        var (first, created) = await _client.OpenIssueOnceAsync(Repo, incident, "fp:3f9a1c", "<!-- autopilot:fp:3f9a1c -->");
        var (second, createdAgain) = await _client.OpenIssueOnceAsync(Repo, incident, "fp:3f9a1c", "<!-- autopilot:fp:3f9a1c -->");

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal(first.Number, second.Number);
        var stored = Assert.Single(_bed.Fake.Issues(GitHubTestBed.Owner, GitHubTestBed.RepoName));
        Assert.Contains("fp:3f9a1c", stored.Labels);
        Assert.Contains("<!-- autopilot:fp:3f9a1c -->", stored.Body);
    }

    [Fact]
    public async Task A_closed_incident_issue_or_one_without_the_marker_does_not_count_as_open()
    {
        var (old, _) = await _client.OpenIssueOnceAsync(Repo, new NewIssue("t", "b", []), "fp:1", "<!-- fp:1 -->");
        await _client.CloseIssueAsync(Repo, old.Number);
        await _client.CreateIssueAsync(Repo, new NewIssue("someone else's", "no marker here", ["fp:1"]));

        var (fresh, created) = await _client.OpenIssueOnceAsync(Repo, new NewIssue("t", "b", []), "fp:1", "<!-- fp:1 -->");

        Assert.True(created);
        Assert.NotEqual(old.Number, fresh.Number);
    }

    [Fact]
    public async Task Finding_issues_follows_link_pagination()
    {
        for (var i = 0; i < 105; i++) await _client.CreateIssueAsync(Repo, new NewIssue($"issue {i}", "b", ["flaky"]));
        await _client.CreateIssueAsync(Repo, new NewIssue("unrelated", "b", ["other"]));

        var found = await _client.FindOpenIssuesAsync(Repo, "flaky");

        Assert.Equal(105, found.Count);
        Assert.Equal(2, _bed.Fake.Exchanges.Count(e => e.Method == "GET" && e.Path == "/repos/acme/web/issues"));
    }

    [Fact]
    public async Task Comments_and_closing_change_the_issue()
    {
        var issue = await _client.CreateIssueAsync(Repo, new NewIssue("t", "b", []));

        var comment = await _client.CommentAsync(Repo, issue.Number, "Rolled back to deployment 41.");
        var closed = await _client.CloseIssueAsync(Repo, issue.Number);

        Assert.Equal("Rolled back to deployment 41.", comment.Body);
        Assert.Equal("closed", closed.State);
        var stored = Assert.Single(_bed.Fake.Issues(GitHubTestBed.Owner, GitHubTestBed.RepoName));
        Assert.Equal(("closed", "completed"), (stored.State, stored.StateReason));
        Assert.Equal(["Rolled back to deployment 41."], stored.Comments);
    }

    [Fact]
    public async Task Workflows_are_dispatched_by_file_name_with_inputs()
    {
        _bed.Fake.AddWorkflow(GitHubTestBed.Owner, GitHubTestBed.RepoName, 9001, "deploy.yml", "Deploy");

        await _client.DispatchWorkflowAsync(Repo, "deploy.yml", "main", new Dictionary<string, string> { ["environment"] = "production" });

        var dispatch = Assert.Single(_bed.Fake.Dispatches);
        Assert.Equal((9001L, "main", "production"), (dispatch.WorkflowId, dispatch.Ref, dispatch.Inputs["environment"]));
        var error = await Assert.ThrowsAsync<GitHubApiException>(() => _client.DispatchWorkflowAsync(Repo, "nope.yml", "main"));
        Assert.Equal((404, "Not Found", "https://docs.github.com/rest"), (error.StatusCode, error.ApiMessage, error.DocumentationUrl));
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task Commits_on_a_branch_come_newest_first_across_pages_up_to_the_limit()
    {
        var shas = Enumerable.Range(0, 130).Select(i => _bed.Fake.PushCommit(GitHubTestBed.Owner, GitHubTestBed.RepoName, "main", $"change {i}")).ToList();

        var commits = await _client.ListCommitsAsync(Repo, "main", maxCount: 120);

        Assert.Equal(120, commits.Count);
        Assert.Equal(Enumerable.Reverse(shas).Take(120), commits.Select(c => c.Sha));
        Assert.Equal("change 129", commits[0].Message);
        Assert.Equal(2, _bed.Fake.Exchanges.Count(e => e.Path == "/repos/acme/web/commits"));
    }

    [Fact]
    public async Task Workflow_runs_are_listed_for_one_commit()
    {
        var sha = _bed.Fake.PushCommit(GitHubTestBed.Owner, GitHubTestBed.RepoName, "main", "fix");
        var other = _bed.Fake.PushCommit(GitHubTestBed.Owner, GitHubTestBed.RepoName, "main", "later");
        _bed.Fake.AddWorkflow(GitHubTestBed.Owner, GitHubTestBed.RepoName, 1, "ci.yml", "CI");
        _bed.Fake.AddWorkflowRun(GitHubTestBed.Owner, GitHubTestBed.RepoName, 1, sha, "completed", "failure");
        _bed.Fake.AddWorkflowRun(GitHubTestBed.Owner, GitHubTestBed.RepoName, 1, sha, "in_progress", null);
        _bed.Fake.AddWorkflowRun(GitHubTestBed.Owner, GitHubTestBed.RepoName, 1, other, "completed", "success");

        var runs = await _client.ListWorkflowRunsForCommitAsync(Repo, sha);

        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.Equal(sha, r.HeadSha));
        Assert.Contains(runs, r => r is { Status: "completed", Conclusion: "failure", Name: "CI" });
        Assert.Contains(runs, r => r is { Status: "in_progress", Conclusion: null });
    }

    [Fact]
    public async Task Check_runs_of_a_commit_are_listed_with_their_app()
    {
        var sha = _bed.Fake.PushCommit(GitHubTestBed.Owner, GitHubTestBed.RepoName, "main", "fix");
        var other = _bed.Fake.PushCommit(GitHubTestBed.Owner, GitHubTestBed.RepoName, "main", "later");
        _bed.Fake.AddCheckRun(GitHubTestBed.Owner, GitHubTestBed.RepoName, sha, "unit-tests", "completed", "failure", "circleci-checks");
        _bed.Fake.AddCheckRun(GitHubTestBed.Owner, GitHubTestBed.RepoName, sha, "CodeQL", "in_progress", null, "github-advanced-security");
        _bed.Fake.AddCheckRun(GitHubTestBed.Owner, GitHubTestBed.RepoName, other, "unit-tests", "completed", "success");

        var runs = await _client.ListCheckRunsForRefAsync(Repo, sha);

        Assert.Equal(2, runs.Count);
        Assert.Contains(runs, r => r is { Name: "unit-tests", Status: "completed", Conclusion: "failure", AppSlug: "circleci-checks" });
        Assert.Contains(runs, r => r is { Name: "CodeQL", Status: "in_progress", Conclusion: null, AppSlug: "github-advanced-security" });
        Assert.Single(_bed.Fake.Exchanges, e => e.Path == $"/repos/acme/web/commits/{sha}/check-runs");
    }

    [Fact]
    public async Task A_commit_is_read_with_its_changed_files_and_their_patches()
    {
        var sha = _bed.Fake.PushCommit(GitHubTestBed.Owner, GitHubTestBed.RepoName, "main", "config",
            [new GitHubFakeFileChange("src/app.ts", "@@ -1 +1,2 @@\n-old\n+new\n+more"), new GitHubFakeFileChange("logo.png", null, "added")]);

        var commit = await _client.GetCommitAsync(Repo, sha);

        Assert.Equal((sha, "config"), (commit.Sha, commit.Message));
        Assert.Equal(["src/app.ts", "logo.png"], commit.Files.Select(f => f.Filename));
        Assert.Contains("+more", commit.Files[0].Patch);
        Assert.Equal("added", commit.Files[1].Status);
        Assert.Null(commit.Files[1].Patch);
        var error = await Assert.ThrowsAsync<GitHubApiException>(() => _client.GetCommitAsync(Repo, new string('f', 40)));
        Assert.Equal(422, error.StatusCode);
    }

    [Fact]
    public async Task Contents_exist_or_not_at_a_ref_and_a_missing_file_is_false_not_an_error()
    {
        var sha = _bed.Fake.PushCommit(GitHubTestBed.Owner, GitHubTestBed.RepoName, "main", "docs");
        _bed.Fake.AddFile(GitHubTestBed.Owner, GitHubTestBed.RepoName, "README.md", "# web");

        Assert.True(await _client.ContentExistsAsync(Repo, "README.md", sha));
        Assert.False(await _client.ContentExistsAsync(Repo, "SECURITY.md", sha));
        var request = Assert.Single(_bed.Fake.Exchanges, e => e.Path == "/repos/acme/web/contents/README.md");
        Assert.Contains($"ref={sha}", request.Query);
        // Not found is an answer, not a failure: it is not retried.
        Assert.Single(_bed.Fake.Exchanges, e => e.Path == "/repos/acme/web/contents/SECURITY.md");
    }

    [Fact]
    public async Task A_folder_is_read_file_by_file_with_contents_and_a_missing_folder_has_no_files()
    {
        var sha = _bed.Fake.PushCommit(GitHubTestBed.Owner, GitHubTestBed.RepoName, "main", "migrations");
        _bed.Fake.AddFile(GitHubTestBed.Owner, GitHubTestBed.RepoName, "db/migrations/V2__b.sql", "INSERT INTO t VALUES ('ü');");
        _bed.Fake.AddFile(GitHubTestBed.Owner, GitHubTestBed.RepoName, "db/migrations/V1__a.sql", "CREATE TABLE t (x text);");
        _bed.Fake.AddFile(GitHubTestBed.Owner, GitHubTestBed.RepoName, "db/migrations/old/V0__x.sql", "SELECT 1;");

        var files = await _client.ReadFolderAsync(Repo, "db/migrations", sha);

        Assert.Equal(["V1__a.sql", "V2__b.sql"], files.Select(f => f.Name));
        Assert.Equal("db/migrations/V1__a.sql", files[0].Path);
        Assert.Equal("INSERT INTO t VALUES ('ü');", files[1].Text);
        Assert.Contains(_bed.Fake.Exchanges, e => e.Path == "/repos/acme/web/contents/db/migrations" && e.Query.Contains($"ref={sha}"));
        Assert.Empty(await _client.ReadFolderAsync(Repo, "nowhere", sha));
    }

    [Fact]
    public async Task Tags_are_listed_newest_first_up_to_the_limit()
    {
        for (var i = 1; i <= 3; i++) _bed.Fake.AddTag(GitHubTestBed.Owner, GitHubTestBed.RepoName, $"v1.{i}.0");

        var tags = await _client.ListTagsAsync(Repo, maxCount: 2);

        Assert.Equal(["v1.3.0", "v1.2.0"], tags.Select(t => t.Name));
        Assert.All(tags, t => Assert.Equal(40, t.Sha.Length));
    }

    [Fact]
    public async Task A_commit_gets_a_comment()
    {
        var sha = _bed.Fake.PushCommit(GitHubTestBed.Owner, GitHubTestBed.RepoName, "main", "risky");

        var comment = await _client.CommentOnCommitAsync(Repo, sha, "Readiness NO-GO: tests failed");

        Assert.Equal("Readiness NO-GO: tests failed", comment.Body);
        Assert.Contains($"commit/{sha}#commitcomment-", comment.HtmlUrl);
        Assert.Equal(new[] { new GitHubFakeCommitComment(sha, "Readiness NO-GO: tests failed") },
            _bed.Fake.CommitComments(GitHubTestBed.Owner, GitHubTestBed.RepoName));
    }

    [Fact]
    public async Task A_pull_request_is_created_and_merged_at_the_expected_head()
    {
        var head = _bed.Fake.PushCommit(GitHubTestBed.Owner, GitHubTestBed.RepoName, "autopilot/revert-42", "Revert deploy 42");

        var pull = await _client.CreatePullRequestAsync(Repo, new NewPullRequest("Revert 42", "autopilot/revert-42", "main", "Automated revert"));
        var merge = await _client.MergePullRequestAsync(Repo, pull.Number, MergeMethod.Squash, expectedHeadSha: head);

        Assert.Equal((head, "autopilot/revert-42", "main", false), (pull.HeadSha, pull.HeadRef, pull.BaseRef, pull.Merged));
        Assert.True(merge.Merged);
        var stored = _bed.Fake.PullRequest(GitHubTestBed.Owner, GitHubTestBed.RepoName, pull.Number);
        Assert.Equal(merge.Sha, stored.MergeCommitSha);
        Assert.Contains("\"merge_method\":\"squash\"", _bed.Fake.Exchanges.Single(e => e.Method == "PUT").RequestBody);
    }

    [Fact]
    public async Task Merging_an_unmergeable_pull_request_is_a_typed_405()
    {
        _bed.Fake.PushCommit(GitHubTestBed.Owner, GitHubTestBed.RepoName, "conflicted", "x");
        var pull = await _client.CreatePullRequestAsync(Repo, new NewPullRequest("x", "conflicted", "main"));
        _bed.Fake.SetMergeable(GitHubTestBed.Owner, GitHubTestBed.RepoName, pull.Number, false);

        var error = await Assert.ThrowsAsync<GitHubPullRequestNotMergeableException>(() => _client.MergePullRequestAsync(Repo, pull.Number));

        Assert.Equal((405, "Pull Request is not mergeable"), (error.StatusCode, error.ApiMessage));
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task Merging_after_the_head_moved_is_a_typed_409()
    {
        var first = _bed.Fake.PushCommit(GitHubTestBed.Owner, GitHubTestBed.RepoName, "feature", "one");
        var pull = await _client.CreatePullRequestAsync(Repo, new NewPullRequest("f", "feature", "main"));
        _bed.Fake.PushCommit(GitHubTestBed.Owner, GitHubTestBed.RepoName, "feature", "two");

        var error = await Assert.ThrowsAsync<GitHubHeadModifiedException>(() => _client.MergePullRequestAsync(Repo, pull.Number, expectedHeadSha: first));

        Assert.Equal(409, error.StatusCode);
        Assert.False(_bed.Fake.PullRequest(GitHubTestBed.Owner, GitHubTestBed.RepoName, pull.Number).Merged);
    }

    [Fact]
    public async Task Validation_failures_carry_githubs_errors_array()
    {
        var error = await Assert.ThrowsAsync<GitHubApiException>(() =>
            _client.CreatePullRequestAsync(Repo, new NewPullRequest("x", "no-such-branch", "main")));

        Assert.Equal((422, "Validation Failed"), (error.StatusCode, error.ApiMessage));
        var detail = Assert.Single(error.Errors);
        Assert.Equal(("PullRequest", "invalid"), (detail.Resource, detail.Code));
        Assert.Contains("PullRequest", error.Message);
    }

    [Fact]
    public async Task A_personal_access_token_works_and_a_wrong_one_is_bad_credentials()
    {
        var patClient = PatClient();
        var wrong = _bed.CreateClient(new PersonalAccessTokenSource("ghp_wrongwrongwrong"));

        var issue = await patClient.CreateIssueAsync(Repo, new NewIssue("t", "b", []));
        var error = await Assert.ThrowsAsync<GitHubApiException>(() => wrong.CreateIssueAsync(Repo, new NewIssue("t", "b", [])));

        Assert.Equal(1, issue.Number);
        Assert.Equal((401, "Bad credentials"), (error.StatusCode, error.ApiMessage));
        Assert.Equal(0, _bed.Fake.TokenExchanges);
    }

    [Fact]
    public async Task A_primary_rate_limit_waits_until_the_announced_reset()
    {
        var client = PatClient();
        _bed.Fake.RespondPrimaryRateLimited(_bed.Clock.GetUtcNow().AddSeconds(90));

        var call = client.CreateIssueAsync(Repo, new NewIssue("t", "b", []));
        var waited = await _bed.PassNextRetryDelayAsync();

        Assert.Equal(TimeSpan.FromSeconds(90), waited);
        Assert.Equal(1, (await call.WaitAsync(TimeSpan.FromSeconds(30))).Number);
    }

    [Fact]
    public async Task A_primary_reset_beyond_our_patience_is_surfaced_with_its_wait()
    {
        var client = PatClient();
        _bed.Fake.RespondPrimaryRateLimited(_bed.Clock.GetUtcNow().AddMinutes(45));

        var error = await Assert.ThrowsAsync<GitHubRateLimitedException>(() => client.CreateIssueAsync(Repo, new NewIssue("t", "b", [])));

        Assert.Equal((GitHubRateLimitKind.Primary, TimeSpan.FromMinutes(45), 403), (error.Kind, error.RetryAfter, error.StatusCode));
        Assert.True(error.IsTransient);
        Assert.Single(_bed.Fake.Exchanges);
    }

    [Fact]
    public async Task A_secondary_rate_limit_honours_retry_after()
    {
        var client = PatClient();
        _bed.Fake.RespondSecondaryRateLimited(TimeSpan.FromSeconds(30));

        var call = client.CreateIssueAsync(Repo, new NewIssue("t", "b", []));

        Assert.Equal(TimeSpan.FromSeconds(30), await _bed.PassNextRetryDelayAsync());
        await call.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_secondary_rate_limit_without_retry_after_waits_a_minute_then_backs_off_exponentially()
    {
        var client = PatClient();
        _bed.Fake.RespondSecondaryRateLimited(retryAfter: null, times: 2);

        var call = client.CreateIssueAsync(Repo, new NewIssue("t", "b", []));
        var first = await _bed.PassNextRetryDelayAsync();
        var second = await _bed.PassNextRetryDelayAsync();

        Assert.Equal((TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2)), (first, second));
        await call.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Server_errors_are_retried()
    {
        var client = PatClient();
        _bed.Fake.RespondServerError(502);

        var call = client.CreateIssueAsync(Repo, new NewIssue("t", "b", []));
        await _bed.PassNextRetryDelayAsync();

        Assert.Equal(1, (await call.WaitAsync(TimeSpan.FromSeconds(30))).Number);
        Assert.Equal([502, 201], _bed.Fake.Exchanges.Select(e => e.StatusCode));
    }

    [Fact]
    public async Task Cancelling_during_a_rate_limit_wait_stops_the_call()
    {
        var client = PatClient();
        _bed.Fake.RespondSecondaryRateLimited(TimeSpan.FromSeconds(40));
        using var cts = new CancellationTokenSource();

        var call = client.CreateIssueAsync(Repo, new NewIssue("t", "b", []), cts.Token);
        await _bed.Clock.WhenDelayRequested(d => d == TimeSpan.FromSeconds(40)).WaitAsync(TimeSpan.FromSeconds(30));
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(_bed.Fake.Issues(GitHubTestBed.Owner, GitHubTestBed.RepoName));
    }

    [Fact]
    public async Task Bad_arguments_fail_before_anything_is_sent()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _client.CreateIssueAsync(Repo, new NewIssue(" ", "b", [])));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _client.CommentAsync(Repo, 0, "x"));
        await Assert.ThrowsAsync<ArgumentException>(() => _client.DispatchWorkflowAsync(Repo, "w.yml", "main",
            Enumerable.Range(0, 26).ToDictionary(i => $"k{i}", i => "v")));
        Assert.Throws<FormatException>(() => GitHubRepository.Parse("no-slash"));
        Assert.Empty(_bed.Fake.Exchanges);
    }
}
