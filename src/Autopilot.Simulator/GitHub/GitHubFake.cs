using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Autopilot.Simulator.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Simulator.GitHub;

/// <summary>
/// A GitHub REST look-alike: repositories with branches and commits, issues, labels, comments, workflows and
/// runs, check runs, pull requests and merges, file contents, tags and commit comments (what the readiness gate reads
/// and writes); GitHub App token exchange that verifies the RS256 JWT against the app's public
/// key; personal tokens; scriptable primary and secondary rate limits. Errors are GitHub's
/// <c>{message, documentation_url}</c> bodies; lists paginate with <c>Link</c> headers.
/// </summary>
public sealed class GitHubFake : FakeServer
{
    private const string Docs = "https://docs.github.com/rest";
    private const string RateLimitDocs = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api";
    private const int RateLimit = 5000;

    private sealed record App(string AppId, RSA PublicKey, HashSet<long> Installations, TimeSpan TokenLifetime);

    private sealed record Commit(string Sha, string Message, string AuthorName, DateTimeOffset Date, IReadOnlyList<GitHubFakeFileChange>? Changes = null);

    private sealed record CheckRun(long Id, string HeadSha, string Name, string Status, string? Conclusion, string AppSlug, DateTimeOffset At);

    private sealed record Tag(string Name, string Sha);

    private sealed record Workflow(long Id, string Path, string Name);

    private sealed class Issue
    {
        public required long Id { get; init; }
        public required int Number { get; init; }
        public required string Title { get; set; }
        public string? Body { get; set; }
        public required List<string> Labels { get; init; }
        public string State { get; set; } = "open";
        public string? StateReason { get; set; }
        public required DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; set; }
        public DateTimeOffset? ClosedAt { get; set; }
        public List<string> Comments { get; } = [];
    }

    private sealed class Run
    {
        public required long Id { get; init; }
        public required long WorkflowId { get; init; }
        public required string HeadSha { get; init; }
        public required string HeadBranch { get; init; }
        public required string Event { get; init; }
        public required int RunNumber { get; init; }
        public required DateTimeOffset CreatedAt { get; init; }
        public string Status { get; set; } = "queued";
        public string? Conclusion { get; set; }
    }

    private sealed class Pull
    {
        public required long Id { get; init; }
        public required int Number { get; init; }
        public required string Title { get; init; }
        public string? Body { get; init; }
        public required string Head { get; init; }
        public required string Base { get; init; }
        public required bool Draft { get; init; }
        public required DateTimeOffset CreatedAt { get; init; }
        public string HeadSha { get; set; } = "";
        public bool Mergeable { get; set; } = true;
        public bool Merged { get; set; }
        public string? MergeCommitSha { get; set; }
        public DateTimeOffset? MergedAt { get; set; }
    }

    private sealed class Repo
    {
        public required string Owner { get; init; }
        public required string Name { get; init; }
        public required long Id { get; init; }
        public required string DefaultBranch { get; init; }
        public Dictionary<string, List<Commit>> Branches { get; } = new(StringComparer.Ordinal);
        public List<Issue> Issues { get; } = [];
        public List<Pull> Pulls { get; } = [];
        public List<Workflow> Workflows { get; } = [];
        public List<Run> Runs { get; } = [];
        public List<CheckRun> CheckRuns { get; } = [];
        public Dictionary<string, string> Files { get; } = new(StringComparer.Ordinal);
        public List<Tag> Tags { get; } = [];
        public List<GitHubFakeCommitComment> CommitComments { get; } = [];
        public int NextNumber { get; set; } = 1;
        public string FullName => $"{Owner}/{Name}";
    }

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Repo> _repos = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, App> _apps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset?> _tokens = new(StringComparer.Ordinal);
    private readonly List<GitHubFakeDispatch> _dispatches = [];
    private readonly Dictionary<string, long> _labelIds = new(StringComparer.Ordinal);
    private long _nextId = 1000;
    private int _remaining = RateLimit;
    private int _tokenExchanges;

    /// <summary>Creates an empty GitHub on <paramref name="timeProvider"/>'s clock.</summary>
    public GitHubFake(TimeProvider timeProvider) : base(timeProvider)
    {
    }

    /// <summary>Installation-token exchanges that succeeded.</summary>
    public int TokenExchanges
    {
        get { lock (_gate) return _tokenExchanges; }
    }

    /// <summary>Every workflow dispatch received.</summary>
    public IReadOnlyList<GitHubFakeDispatch> Dispatches
    {
        get { lock (_gate) return _dispatches.ToArray(); }
    }

    /// <summary>Registers a GitHub App by its public key, installed as <paramref name="installationId"/> on every repository.</summary>
    public void RegisterApp(string appId, RSA publicKey, long installationId, TimeSpan? tokenLifetime = null)
    {
        lock (_gate) _apps[appId] = new App(appId, publicKey, [installationId], tokenLifetime ?? TimeSpan.FromHours(1));
    }

    /// <summary>Accepts <paramref name="token"/> as a personal access token that never expires.</summary>
    public void AddPersonalToken(string token)
    {
        lock (_gate) _tokens[token] = null;
    }

    /// <summary>Creates a repository whose default branch has one initial commit.</summary>
    public void AddRepository(string owner, string name, string defaultBranch = "main")
    {
        lock (_gate)
        {
            var repo = new Repo { Owner = owner, Name = name, Id = ++_nextId, DefaultBranch = defaultBranch };
            repo.Branches[defaultBranch] = [new Commit(Sha("initial", repo.Id), "Initial commit", "octocat", TimeProvider.GetUtcNow().AddDays(-30))];
            _repos[$"{owner}/{name}"] = repo;
        }
    }

    /// <summary>Pushes a commit onto <paramref name="branch"/> (created from the default branch if new); returns its SHA.</summary>
    public string PushCommit(string owner, string name, string branch, string message, string authorName = "octocat", DateTimeOffset? date = null)
    {
        lock (_gate)
        {
            var repo = RequireRepo(owner, name);
            if (!repo.Branches.TryGetValue(branch, out var commits))
                repo.Branches[branch] = commits = [.. repo.Branches[repo.DefaultBranch]];
            var commit = new Commit(Sha(message, ++_nextId), message, authorName, date ?? TimeProvider.GetUtcNow());
            commits.Add(commit);
            foreach (var pull in repo.Pulls.Where(p => p.Head == branch && !p.Merged)) pull.HeadSha = commit.Sha;
            return commit.Sha;
        }
    }

    /// <summary>
    /// Pushes a commit that changes <paramref name="changes"/> (their patches are served by <c>GET /commits/{ref}</c>);
    /// files added or modified also exist in the repository's contents afterwards. Returns its SHA.
    /// </summary>
    public string PushCommit(string owner, string name, string branch, string message, IReadOnlyList<GitHubFakeFileChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        lock (_gate)
        {
            var repo = RequireRepo(owner, name);
            if (!repo.Branches.TryGetValue(branch, out var commits))
                repo.Branches[branch] = commits = [.. repo.Branches[repo.DefaultBranch]];
            var commit = new Commit(Sha(message, ++_nextId), message, "octocat", TimeProvider.GetUtcNow(), changes.ToArray());
            commits.Add(commit);
            foreach (var change in changes)
            {
                if (change.Status == "removed") repo.Files.Remove(change.Filename);
                else repo.Files.TryAdd(change.Filename, change.Patch ?? "");
            }
            foreach (var pull in repo.Pulls.Where(p => p.Head == branch && !p.Merged)) pull.HeadSha = commit.Sha;
            return commit.Sha;
        }
    }

    /// <summary>Puts a file into the repository's contents (the fake keeps one tree, served at every ref).</summary>
    public void AddFile(string owner, string name, string path, string content = "")
    {
        lock (_gate) RequireRepo(owner, name).Files[path.TrimStart('/')] = content;
    }

    /// <summary>Records a check run for a commit (as GitHub Actions, a CI app or code scanning would); returns its id.</summary>
    public long AddCheckRun(string owner, string name, string headSha, string checkName, string status, string? conclusion, string appSlug = "github-actions")
    {
        lock (_gate)
        {
            var run = new CheckRun(++_nextId, headSha, checkName, status, conclusion, appSlug, TimeProvider.GetUtcNow());
            RequireRepo(owner, name).CheckRuns.Add(run);
            return run.Id;
        }
    }

    /// <summary>Tags <paramref name="sha"/> (the default branch's head when null) as <paramref name="tag"/>.</summary>
    public void AddTag(string owner, string name, string tag, string? sha = null)
    {
        lock (_gate)
        {
            var repo = RequireRepo(owner, name);
            repo.Tags.Insert(0, new Tag(tag, sha ?? repo.Branches[repo.DefaultBranch][^1].Sha));
        }
    }

    /// <summary>Comments written on commits, oldest first.</summary>
    public IReadOnlyList<GitHubFakeCommitComment> CommitComments(string owner, string name)
    {
        lock (_gate) return RequireRepo(owner, name).CommitComments.ToArray();
    }

    /// <summary>Defines a workflow, addressable by id or by its file name.</summary>
    public void AddWorkflow(string owner, string name, long workflowId, string fileName, string workflowName)
    {
        lock (_gate) RequireRepo(owner, name).Workflows.Add(new Workflow(workflowId, $".github/workflows/{fileName}", workflowName));
    }

    /// <summary>Records a workflow run for a commit (as a push would create); returns its id.</summary>
    public long AddWorkflowRun(string owner, string name, long workflowId, string headSha, string status, string? conclusion, string @event = "push")
    {
        lock (_gate)
        {
            var repo = RequireRepo(owner, name);
            var run = new Run
            {
                Id = ++_nextId, WorkflowId = workflowId, HeadSha = headSha, HeadBranch = repo.DefaultBranch, Event = @event,
                RunNumber = repo.Runs.Count + 1, CreatedAt = TimeProvider.GetUtcNow(), Status = status, Conclusion = conclusion,
            };
            repo.Runs.Add(run);
            return run.Id;
        }
    }

    /// <summary>Marks a pull request (un)mergeable, e.g. to simulate conflicts.</summary>
    public void SetMergeable(string owner, string name, int number, bool mergeable)
    {
        lock (_gate) RequirePull(RequireRepo(owner, name), number).Mergeable = mergeable;
    }

    /// <summary>Snapshots of a repository's issues.</summary>
    public IReadOnlyList<GitHubFakeIssue> Issues(string owner, string name)
    {
        lock (_gate)
        {
            return RequireRepo(owner, name).Issues
                .Select(i => new GitHubFakeIssue(i.Number, i.Title, i.Body, i.Labels.ToArray(), i.State, i.StateReason, i.Comments.ToArray()))
                .ToArray();
        }
    }

    /// <summary>Snapshot of a pull request.</summary>
    public GitHubFakePullRequest PullRequest(string owner, string name, int number)
    {
        lock (_gate)
        {
            var p = RequirePull(RequireRepo(owner, name), number);
            return new GitHubFakePullRequest(p.Number, p.Head, p.Base, p.HeadSha, p.Merged, p.Mergeable, p.MergeCommitSha);
        }
    }

    /// <summary>
    /// The next <paramref name="times"/> requests hit the primary (hourly) limit: 403 with
    /// <c>x-ratelimit-remaining: 0</c> and <c>x-ratelimit-reset</c> = <paramref name="resetAt"/>.
    /// </summary>
    public void RespondPrimaryRateLimited(DateTimeOffset resetAt, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            EnqueueFault(context =>
            {
                context.Response.Headers["x-ratelimit-limit"] = RateLimit.ToString(CultureInfo.InvariantCulture);
                context.Response.Headers["x-ratelimit-remaining"] = "0";
                context.Response.Headers["x-ratelimit-used"] = RateLimit.ToString(CultureInfo.InvariantCulture);
                context.Response.Headers["x-ratelimit-reset"] = resetAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                context.Response.Headers["x-ratelimit-resource"] = "core";
                return Error(context, 403, "API rate limit exceeded for installation.", RateLimitDocs);
            });
        }
    }

    /// <summary>The next <paramref name="times"/> requests hit a secondary limit: 403, with <c>retry-after</c> when given.</summary>
    public void RespondSecondaryRateLimited(TimeSpan? retryAfter, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            EnqueueFault(context =>
            {
                if (retryAfter is { } wait) context.Response.Headers.RetryAfter = ((long)wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                return Error(context, 403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", RateLimitDocs);
            });
        }
    }

    /// <inheritdoc />
    protected override void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/app/installations/{installation_id}/access_tokens", ExchangeTokenAsync);
        endpoints.MapPost("/repos/{owner}/{repo}/issues", Authorised(CreateIssueAsync));
        endpoints.MapGet("/repos/{owner}/{repo}/issues", Authorised(ListIssuesAsync));
        endpoints.MapPost("/repos/{owner}/{repo}/issues/{number}/comments", Authorised(CommentAsync));
        endpoints.MapMethods("/repos/{owner}/{repo}/issues/{number}", ["PATCH"], Authorised(UpdateIssueAsync));
        endpoints.MapPost("/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", Authorised(DispatchAsync));
        endpoints.MapGet("/repos/{owner}/{repo}/commits", Authorised(ListCommitsAsync));
        endpoints.MapGet("/repos/{owner}/{repo}/commits/{ref}", Authorised(GetCommitAsync));
        endpoints.MapGet("/repos/{owner}/{repo}/commits/{ref}/check-runs", Authorised(ListCheckRunsAsync));
        endpoints.MapPost("/repos/{owner}/{repo}/commits/{sha}/comments", Authorised(CommentOnCommitAsync));
        endpoints.MapGet("/repos/{owner}/{repo}/contents/{**path}", Authorised(GetContentAsync));
        endpoints.MapGet("/repos/{owner}/{repo}/tags", Authorised(ListTagsAsync));
        endpoints.MapGet("/repos/{owner}/{repo}/actions/runs", Authorised(ListRunsAsync));
        endpoints.MapPost("/repos/{owner}/{repo}/pulls", Authorised(CreatePullAsync));
        endpoints.MapPut("/repos/{owner}/{repo}/pulls/{number}/merge", Authorised(MergeAsync));
    }

    // ---- authentication ----

    private async Task ExchangeTokenAsync(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        var jwt = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..] : "";
        var now = TimeProvider.GetUtcNow();
        string? failure;
        App? app;
        lock (_gate) failure = ValidateJwt(jwt, now, out app);
        if (failure is not null)
        {
            await Error(context, 401, failure, Docs);
            return;
        }
        var installationId = long.Parse((string)context.Request.RouteValues["installation_id"]!, CultureInfo.InvariantCulture);
        if (!app!.Installations.Contains(installationId))
        {
            await Error(context, 404, "Not Found", Docs);
            return;
        }
        var token = "ghs_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(18));
        var expiresAt = now + app.TokenLifetime;
        lock (_gate)
        {
            _tokens[token] = expiresAt;
            _tokenExchanges++;
        }
        await Json(context, 201, new JsonObject
        {
            ["token"] = token,
            ["expires_at"] = GitHubShapes.Time(expiresAt),
            ["permissions"] = new JsonObject { ["issues"] = "write", ["actions"] = "write", ["contents"] = "write", ["pull_requests"] = "write" },
            ["repository_selection"] = "all",
        });
    }

    /// <summary>GitHub's checks on an app JWT: RS256, signed by a registered app, not expired, not too long-lived.</summary>
    private string? ValidateJwt(string jwt, DateTimeOffset now, out App? app)
    {
        app = null;
        var parts = jwt.Split('.');
        if (parts.Length != 3) return "A JSON web token could not be decoded";
        JsonObject header, payload;
        try
        {
            header = JsonNode.Parse(FromBase64Url(parts[0]))!.AsObject();
            payload = JsonNode.Parse(FromBase64Url(parts[1]))!.AsObject();
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            return "A JSON web token could not be decoded";
        }
        if ((string?)header["alg"] != "RS256") return "A JSON web token could not be decoded";
        var issuer = payload["iss"]?.ToString();
        if (issuer is null || !_apps.TryGetValue(issuer, out app)) return "Integration not found";
        var signature = FromBase64Url(parts[2]);
        if (!app.PublicKey.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            return "A JSON web token could not be decoded";
        if (payload["exp"] is not JsonValue expValue || !expValue.TryGetValue<long>(out var exp) || payload["iat"] is not JsonValue iatValue || !iatValue.TryGetValue<long>(out var iat))
            return "'Expiration time' claim ('exp') and 'Issued at' claim ('iat') must be numeric values";
        var nowSeconds = now.ToUnixTimeSeconds();
        if (exp <= nowSeconds) return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
        if (exp > nowSeconds + 600 + 60) return "'Expiration time' claim ('exp') is too far in the future";
        if (iat > nowSeconds + 60) return "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued";
        return null;
    }

    private RequestDelegate Authorised(Func<HttpContext, Repo, Task> handler) => async context =>
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        var separator = authorization.IndexOf(' ');
        var scheme = separator > 0 ? authorization[..separator] : "";
        var token = separator > 0 ? authorization[(separator + 1)..].Trim() : "";
        Repo? repo;
        bool authorised;
        int remaining;
        lock (_gate)
        {
            authorised = scheme is "Bearer" or "token" && _tokens.TryGetValue(token, out var expiresAt) && (expiresAt is null || expiresAt > TimeProvider.GetUtcNow());
            _repos.TryGetValue($"{context.Request.RouteValues["owner"]}/{context.Request.RouteValues["repo"]}", out repo);
            remaining = authorised ? Math.Max(0, --_remaining) : _remaining;
        }
        context.Response.Headers["x-ratelimit-limit"] = RateLimit.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["x-ratelimit-remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["x-ratelimit-reset"] = (TimeProvider.GetUtcNow() + TimeSpan.FromHours(1)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        if (!authorised)
        {
            await Error(context, 401, "Bad credentials", Docs);
            return;
        }
        if (repo is null)
        {
            await Error(context, 404, "Not Found", Docs);
            return;
        }
        await handler(context, repo);
    };

    // ---- issues ----

    private async Task CreateIssueAsync(HttpContext context, Repo repo)
    {
        var body = await ReadBodyAsync(context);
        var title = body?["title"]?.ToString();
        if (string.IsNullOrWhiteSpace(title))
        {
            await ValidationFailed(context, new JsonObject { ["resource"] = "Issue", ["code"] = "missing_field", ["field"] = "title" });
            return;
        }
        JsonObject json;
        lock (_gate)
        {
            var now = TimeProvider.GetUtcNow();
            var issue = new Issue
            {
                Id = ++_nextId, Number = repo.NextNumber++, Title = title, Body = (string?)body!["body"],
                Labels = body["labels"]?.AsArray().Select(l => l is JsonObject o ? (string)o["name"]! : (string)l!).Distinct().ToList() ?? [],
                CreatedAt = now, UpdatedAt = now,
            };
            repo.Issues.Add(issue);
            json = IssueJson(repo, issue);
        }
        await Json(context, 201, json);
    }

    private async Task ListIssuesAsync(HttpContext context, Repo repo)
    {
        var state = context.Request.Query["state"].ToString() is { Length: > 0 } s ? s : "open";
        var labels = context.Request.Query["labels"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        List<JsonNode> items;
        lock (_gate)
        {
            items = repo.Issues
                .Where(i => state == "all" || i.State == state)
                .Where(i => labels.All(i.Labels.Contains))
                .OrderByDescending(i => i.Number)
                .Select(i => (JsonNode)IssueJson(repo, i))
                .ToList();
        }
        await PagedAsync(context, items, page => new JsonArray(page.ToArray()));
    }

    private async Task CommentAsync(HttpContext context, Repo repo)
    {
        var body = (await ReadBodyAsync(context))?["body"]?.ToString();
        if (string.IsNullOrWhiteSpace(body))
        {
            await ValidationFailed(context, new JsonObject { ["resource"] = "IssueComment", ["code"] = "missing_field", ["field"] = "body" });
            return;
        }
        JsonObject? json = null;
        lock (_gate)
        {
            var issue = repo.Issues.FirstOrDefault(i => i.Number.ToString(CultureInfo.InvariantCulture) == (string?)context.Request.RouteValues["number"]);
            if (issue is not null)
            {
                issue.Comments.Add(body);
                issue.UpdatedAt = TimeProvider.GetUtcNow();
                var id = ++_nextId;
                var shapes = new GitHubShapes(BaseAddress);
                json = new JsonObject
                {
                    ["id"] = id,
                    ["node_id"] = GitHubShapes.NodeId("IC", id),
                    ["url"] = shapes.Api($"repos/{repo.FullName}/issues/comments/{id}"),
                    ["html_url"] = GitHubShapes.Html($"{repo.FullName}/issues/{issue.Number}#issuecomment-{id}"),
                    ["issue_url"] = shapes.Api($"repos/{repo.FullName}/issues/{issue.Number}"),
                    ["body"] = body,
                    ["user"] = shapes.User("autopilot[bot]", 9000),
                    ["created_at"] = GitHubShapes.Time(issue.UpdatedAt),
                    ["updated_at"] = GitHubShapes.Time(issue.UpdatedAt),
                    ["author_association"] = "NONE",
                };
            }
        }
        await (json is null ? Error(context, 404, "Not Found", Docs) : Json(context, 201, json));
    }

    private async Task UpdateIssueAsync(HttpContext context, Repo repo)
    {
        var body = await ReadBodyAsync(context);
        var state = body?["state"]?.ToString();
        if (state is not (null or "open" or "closed"))
        {
            await ValidationFailed(context, new JsonObject { ["resource"] = "Issue", ["code"] = "invalid", ["field"] = "state" });
            return;
        }
        JsonObject? json = null;
        lock (_gate)
        {
            var issue = repo.Issues.FirstOrDefault(i => i.Number.ToString(CultureInfo.InvariantCulture) == (string?)context.Request.RouteValues["number"]);
            if (issue is not null)
            {
                var now = TimeProvider.GetUtcNow();
                if (body?["title"]?.ToString() is { } title) issue.Title = title;
                if (state is not null)
                {
                    issue.State = state;
                    issue.ClosedAt = state == "closed" ? now : null;
                    issue.StateReason = state == "closed" ? body?["state_reason"]?.ToString() ?? "completed" : "reopened";
                }
                issue.UpdatedAt = now;
                json = IssueJson(repo, issue);
            }
        }
        await (json is null ? Error(context, 404, "Not Found", Docs) : Json(context, 200, json));
    }

    // ---- actions ----

    private async Task DispatchAsync(HttpContext context, Repo repo)
    {
        var body = await ReadBodyAsync(context);
        var gitRef = body?["ref"]?.ToString();
        if (string.IsNullOrWhiteSpace(gitRef))
        {
            await ValidationFailed(context, new JsonObject { ["resource"] = "WorkflowDispatch", ["code"] = "missing_field", ["field"] = "ref" });
            return;
        }
        var key = (string)context.Request.RouteValues["workflow_id"]!;
        string? failure = null;
        lock (_gate)
        {
            var workflow = repo.Workflows.FirstOrDefault(w => w.Id.ToString(CultureInfo.InvariantCulture) == key || Path.GetFileName(w.Path) == key);
            if (workflow is null) failure = "Not Found";
            else if (!repo.Branches.TryGetValue(gitRef, out var commits)) failure = $"No ref found for: {gitRef}";
            else
            {
                var inputs = (body!["inputs"] as JsonObject)?.ToDictionary(p => p.Key, p => p.Value?.ToString() ?? "") ?? [];
                _dispatches.Add(new GitHubFakeDispatch(repo.FullName, workflow.Id, gitRef, inputs));
                repo.Runs.Add(new Run
                {
                    Id = ++_nextId, WorkflowId = workflow.Id, HeadSha = commits[^1].Sha, HeadBranch = gitRef, Event = "workflow_dispatch",
                    RunNumber = repo.Runs.Count + 1, CreatedAt = TimeProvider.GetUtcNow(),
                });
            }
        }
        if (failure == "Not Found") await Error(context, 404, failure, Docs);
        else if (failure is not null) await ValidationFailed(context, failure);
        else context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task ListRunsAsync(HttpContext context, Repo repo)
    {
        var headSha = context.Request.Query["head_sha"].ToString();
        List<JsonNode> runs;
        lock (_gate)
        {
            runs = repo.Runs
                .Where(r => headSha.Length == 0 || r.HeadSha == headSha)
                .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id)
                .Select(r => (JsonNode)RunJson(repo, r))
                .ToList();
        }
        await PagedAsync(context, runs, page => new JsonObject { ["total_count"] = runs.Count, ["workflow_runs"] = new JsonArray(page.ToArray()) });
    }

    // ---- commits ----

    private async Task ListCommitsAsync(HttpContext context, Repo repo)
    {
        var branch = context.Request.Query["sha"].ToString() is { Length: > 0 } s ? s : repo.DefaultBranch;
        DateTimeOffset? since = context.Request.Query["since"].ToString() is { Length: > 0 } text
            ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture)
            : null;
        List<JsonNode>? commits;
        lock (_gate)
        {
            commits = repo.Branches.TryGetValue(branch, out var list)
                ? list.AsEnumerable().Reverse().Where(c => since is null || c.Date >= since).Select(c => (JsonNode)CommitJson(repo, c, list)).ToList()
                : null;
        }
        if (commits is null)
        {
            await Error(context, 404, $"No commit found for SHA: {branch}", Docs);
            return;
        }
        await PagedAsync(context, commits, page => new JsonArray(page.ToArray()));
    }

    /// <summary>The commit a ref names: a full or abbreviated (7+) SHA on any branch, or a branch name (its head).</summary>
    private static (Commit Commit, List<Commit> Branch)? FindCommit(Repo repo, string gitRef)
    {
        if (repo.Branches.TryGetValue(gitRef, out var head) && head.Count > 0) return (head[^1], head);
        if (gitRef.Length < 7) return null;
        foreach (var branch in repo.Branches.Values)
        {
            var commit = branch.FirstOrDefault(c => c.Sha.StartsWith(gitRef, StringComparison.OrdinalIgnoreCase));
            if (commit is not null) return (commit, branch);
        }
        return null;
    }

    private async Task GetCommitAsync(HttpContext context, Repo repo)
    {
        var gitRef = (string)context.Request.RouteValues["ref"]!;
        JsonObject? json = null;
        lock (_gate)
        {
            if (FindCommit(repo, gitRef) is { } found)
            {
                json = CommitJson(repo, found.Commit, found.Branch);
                var shapes = new GitHubShapes(BaseAddress);
                var files = new JsonArray();
                int additions = 0, deletions = 0;
                foreach (var change in found.Commit.Changes ?? [])
                {
                    var lines = (change.Patch ?? "").Split('\n');
                    var added = lines.Count(l => l.StartsWith('+') && !l.StartsWith("+++", StringComparison.Ordinal));
                    var removed = lines.Count(l => l.StartsWith('-') && !l.StartsWith("---", StringComparison.Ordinal));
                    additions += added;
                    deletions += removed;
                    var file = new JsonObject
                    {
                        ["sha"] = Sha("blob " + change.Filename, found.Commit.Sha.Length),
                        ["filename"] = change.Filename,
                        ["status"] = change.Status,
                        ["additions"] = added,
                        ["deletions"] = removed,
                        ["changes"] = added + removed,
                        ["blob_url"] = GitHubShapes.Html($"{repo.FullName}/blob/{found.Commit.Sha}/{change.Filename}"),
                        ["raw_url"] = GitHubShapes.Html($"{repo.FullName}/raw/{found.Commit.Sha}/{change.Filename}"),
                        ["contents_url"] = shapes.Api($"repos/{repo.FullName}/contents/{change.Filename}?ref={found.Commit.Sha}"),
                    };
                    if (change.Patch is not null) file["patch"] = change.Patch;
                    files.Add(file);
                }
                json["stats"] = new JsonObject { ["additions"] = additions, ["deletions"] = deletions, ["total"] = additions + deletions };
                json["files"] = files;
            }
        }
        // GitHub answers an unknown commit with 422 "No commit found for SHA: …".
        await (json is null ? ValidationFailed(context, $"No commit found for SHA: {gitRef}") : Json(context, 200, json));
    }

    private async Task ListCheckRunsAsync(HttpContext context, Repo repo)
    {
        var gitRef = (string)context.Request.RouteValues["ref"]!;
        List<JsonNode>? runs = null;
        lock (_gate)
        {
            if (FindCommit(repo, gitRef) is { } found)
            {
                runs = repo.CheckRuns
                    .Where(r => r.HeadSha == found.Commit.Sha)
                    .OrderByDescending(r => r.Id)
                    .Select(r => (JsonNode)CheckRunJson(repo, r))
                    .ToList();
            }
        }
        if (runs is null)
        {
            await ValidationFailed(context, $"No commit found for SHA: {gitRef}");
            return;
        }
        await PagedAsync(context, runs, page => new JsonObject { ["total_count"] = runs.Count, ["check_runs"] = new JsonArray(page.ToArray()) });
    }

    private async Task CommentOnCommitAsync(HttpContext context, Repo repo)
    {
        var body = (await ReadBodyAsync(context))?["body"]?.ToString();
        if (string.IsNullOrWhiteSpace(body))
        {
            await ValidationFailed(context, new JsonObject { ["resource"] = "CommitComment", ["code"] = "missing_field", ["field"] = "body" });
            return;
        }
        var sha = (string)context.Request.RouteValues["sha"]!;
        JsonObject? json = null;
        lock (_gate)
        {
            if (FindCommit(repo, sha) is { } found)
            {
                var id = ++_nextId;
                var now = TimeProvider.GetUtcNow();
                repo.CommitComments.Add(new GitHubFakeCommitComment(found.Commit.Sha, body));
                var shapes = new GitHubShapes(BaseAddress);
                json = new JsonObject
                {
                    ["html_url"] = GitHubShapes.Html($"{repo.FullName}/commit/{found.Commit.Sha}#commitcomment-{id}"),
                    ["url"] = shapes.Api($"repos/{repo.FullName}/comments/{id}"),
                    ["id"] = id,
                    ["node_id"] = GitHubShapes.NodeId("CC", id),
                    ["body"] = body,
                    ["path"] = null,
                    ["position"] = null,
                    ["line"] = null,
                    ["commit_id"] = found.Commit.Sha,
                    ["user"] = shapes.User("autopilot[bot]", 9000),
                    ["created_at"] = GitHubShapes.Time(now),
                    ["updated_at"] = GitHubShapes.Time(now),
                    ["author_association"] = "NONE",
                };
            }
        }
        await (json is null ? ValidationFailed(context, $"No commit found for SHA: {sha}") : Json(context, 201, json));
    }

    private async Task GetContentAsync(HttpContext context, Repo repo)
    {
        var path = ((string?)context.Request.RouteValues["path"] ?? "").Trim('/');
        var gitRef = context.Request.Query["ref"].ToString();
        JsonObject? json = null;
        JsonArray? directory = null;
        string? missingRef = null;
        lock (_gate)
        {
            if (gitRef.Length > 0 && FindCommit(repo, gitRef) is null) missingRef = gitRef;
            else if (repo.Files.TryGetValue(path, out var content))
            {
                var shapes = new GitHubShapes(BaseAddress);
                var blob = Sha("blob " + path + content, 0);
                var refQuery = gitRef.Length > 0 ? gitRef : repo.DefaultBranch;
                var self = shapes.Api($"repos/{repo.FullName}/contents/{path}?ref={refQuery}");
                var html = GitHubShapes.Html($"{repo.FullName}/blob/{refQuery}/{path}");
                var git = shapes.Api($"repos/{repo.FullName}/git/blobs/{blob}");
                json = new JsonObject
                {
                    ["type"] = "file",
                    ["encoding"] = "base64",
                    ["size"] = Encoding.UTF8.GetByteCount(content),
                    ["name"] = Path.GetFileName(path),
                    ["path"] = path,
                    ["content"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(content)),
                    ["sha"] = blob,
                    ["url"] = self,
                    ["git_url"] = git,
                    ["html_url"] = html,
                    ["download_url"] = $"https://raw.githubusercontent.com/{repo.FullName}/{refQuery}/{path}",
                    ["_links"] = new JsonObject { ["self"] = self, ["git"] = git, ["html"] = html },
                };
            }
            else if (DirectoryListing(repo, path, gitRef) is { Count: > 0 } listing)
            {
                directory = listing;
            }
        }
        if (missingRef is not null) await Error(context, 404, $"No commit found for the ref {missingRef}", Docs);
        else if (directory is not null) await Json(context, 200, directory);
        else await (json is null ? Error(context, 404, "Not Found", Docs) : Json(context, 200, json));
    }

    /// <summary>
    /// A directory as GitHub lists it: one entry per file or sub-directory directly in it, without contents, sorted by
    /// name; empty when no file lies under <paramref name="path"/>.
    /// </summary>
    private JsonArray DirectoryListing(Repo repo, string path, string gitRef)
    {
        var shapes = new GitHubShapes(BaseAddress);
        var refQuery = gitRef.Length > 0 ? gitRef : repo.DefaultBranch;
        var prefix = path.Length == 0 ? "" : path + "/";
        var entries = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var (file, content) in repo.Files.Where(f => f.Key.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var rest = file[prefix.Length..];
            var slash = rest.IndexOf('/');
            var name = slash < 0 ? rest : rest[..slash];
            var entryPath = prefix + name;
            if (entries.ContainsKey(name)) continue;
            var isFile = slash < 0;
            var sha = isFile ? Sha("blob " + entryPath + content, 0) : Sha("tree " + entryPath, 0);
            var self = shapes.Api($"repos/{repo.FullName}/contents/{entryPath}?ref={refQuery}");
            var git = shapes.Api($"repos/{repo.FullName}/git/{(isFile ? "blobs" : "trees")}/{sha}");
            var html = GitHubShapes.Html($"{repo.FullName}/{(isFile ? "blob" : "tree")}/{refQuery}/{entryPath}");
            entries[name] = new JsonObject
            {
                ["type"] = isFile ? "file" : "dir",
                ["size"] = isFile ? Encoding.UTF8.GetByteCount(content) : 0,
                ["name"] = name,
                ["path"] = entryPath,
                ["sha"] = sha,
                ["url"] = self,
                ["git_url"] = git,
                ["html_url"] = html,
                ["download_url"] = isFile ? $"https://raw.githubusercontent.com/{repo.FullName}/{refQuery}/{entryPath}" : null,
                ["_links"] = new JsonObject { ["self"] = self, ["git"] = git, ["html"] = html },
            };
        }

        return new JsonArray(entries.Values.Select(e => (JsonNode)e).ToArray());
    }

    private async Task ListTagsAsync(HttpContext context, Repo repo)
    {
        List<JsonNode> tags;
        lock (_gate)
        {
            var shapes = new GitHubShapes(BaseAddress);
            tags = repo.Tags.Select(t => (JsonNode)new JsonObject
            {
                ["name"] = t.Name,
                ["commit"] = new JsonObject { ["sha"] = t.Sha, ["url"] = shapes.Api($"repos/{repo.FullName}/commits/{t.Sha}") },
                ["zipball_url"] = shapes.Api($"repos/{repo.FullName}/zipball/refs/tags/{t.Name}"),
                ["tarball_url"] = shapes.Api($"repos/{repo.FullName}/tarball/refs/tags/{t.Name}"),
                ["node_id"] = GitHubShapes.NodeId("REF", t.Name.Length + repo.Id),
            }).ToList();
        }
        await PagedAsync(context, tags, page => new JsonArray(page.ToArray()));
    }

    // ---- pull requests ----

    private async Task CreatePullAsync(HttpContext context, Repo repo)
    {
        var body = await ReadBodyAsync(context);
        var head = body?["head"]?.ToString();
        var @base = body?["base"]?.ToString();
        JsonObject? json = null;
        lock (_gate)
        {
            if (head is not null && @base is not null && repo.Branches.TryGetValue(head, out var headCommits) && repo.Branches.ContainsKey(@base))
            {
                var pull = new Pull
                {
                    Id = ++_nextId, Number = repo.NextNumber++, Title = body!["title"]?.ToString() ?? head, Body = (string?)body["body"],
                    Head = head, Base = @base, Draft = body["draft"]?.GetValue<bool>() ?? false, CreatedAt = TimeProvider.GetUtcNow(),
                    HeadSha = headCommits[^1].Sha,
                };
                repo.Pulls.Add(pull);
                json = PullJson(repo, pull);
            }
        }
        if (json is null)
            await ValidationFailed(context, new JsonObject { ["resource"] = "PullRequest", ["code"] = "invalid", ["field"] = head is null ? "head" : "base" });
        else
            await Json(context, 201, json);
    }

    private async Task MergeAsync(HttpContext context, Repo repo)
    {
        var body = await ReadBodyAsync(context);
        var expectedSha = body?["sha"]?.ToString();
        var method = body?["merge_method"]?.ToString() ?? "merge";
        (int Status, JsonObject Json) answer;
        lock (_gate)
        {
            var pull = repo.Pulls.FirstOrDefault(p => p.Number.ToString(CultureInfo.InvariantCulture) == (string?)context.Request.RouteValues["number"]);
            if (pull is null) answer = (404, ErrorJson("Not Found", Docs));
            else if (method is not ("merge" or "squash" or "rebase")) answer = (422, ErrorJson("Validation Failed", Docs));
            else if (pull.Merged || !pull.Mergeable) answer = (405, ErrorJson("Pull Request is not mergeable", Docs));
            else if (expectedSha is not null && expectedSha != pull.HeadSha) answer = (409, ErrorJson("Head branch was modified. Review and try the merge again.", Docs));
            else
            {
                var commit = new Commit(Sha($"merge {pull.Number}", ++_nextId), $"{pull.Title} (#{pull.Number})", "autopilot[bot]", TimeProvider.GetUtcNow());
                repo.Branches[pull.Base].Add(commit);
                pull.Merged = true;
                pull.MergeCommitSha = commit.Sha;
                pull.MergedAt = commit.Date;
                answer = (200, new JsonObject { ["sha"] = commit.Sha, ["merged"] = true, ["message"] = "Pull Request successfully merged" });
            }
        }
        await Json(context, answer.Status, answer.Json);
    }

    // ---- JSON shapes ----

    private JsonObject IssueJson(Repo repo, Issue issue)
    {
        var shapes = new GitHubShapes(BaseAddress);
        var path = $"repos/{repo.FullName}/issues/{issue.Number}";
        return new JsonObject
        {
            ["id"] = issue.Id,
            ["node_id"] = GitHubShapes.NodeId("I", issue.Id),
            ["url"] = shapes.Api(path),
            ["repository_url"] = shapes.Api($"repos/{repo.FullName}"),
            ["labels_url"] = shapes.Api($"{path}/labels{{/name}}"),
            ["comments_url"] = shapes.Api($"{path}/comments"),
            ["events_url"] = shapes.Api($"{path}/events"),
            ["html_url"] = GitHubShapes.Html($"{repo.FullName}/issues/{issue.Number}"),
            ["number"] = issue.Number,
            ["state"] = issue.State,
            ["state_reason"] = issue.StateReason,
            ["title"] = issue.Title,
            ["body"] = issue.Body,
            ["user"] = shapes.User("autopilot[bot]", 9000),
            ["labels"] = new JsonArray(issue.Labels.Select(l => (JsonNode)shapes.Label(l, LabelId(l))).ToArray()),
            ["assignee"] = null,
            ["assignees"] = new JsonArray(),
            ["milestone"] = null,
            ["locked"] = false,
            ["active_lock_reason"] = null,
            ["comments"] = issue.Comments.Count,
            ["closed_at"] = issue.ClosedAt is { } closed ? GitHubShapes.Time(closed) : null,
            ["created_at"] = GitHubShapes.Time(issue.CreatedAt),
            ["updated_at"] = GitHubShapes.Time(issue.UpdatedAt),
            ["author_association"] = "NONE",
        };
    }

    private JsonObject CommitJson(Repo repo, Commit commit, List<Commit> branch)
    {
        var shapes = new GitHubShapes(BaseAddress);
        var index = branch.IndexOf(commit);
        var gitUser = new JsonObject { ["name"] = commit.AuthorName, ["email"] = $"{commit.AuthorName}@users.noreply.github.com", ["date"] = GitHubShapes.Time(commit.Date) };
        return new JsonObject
        {
            ["url"] = shapes.Api($"repos/{repo.FullName}/commits/{commit.Sha}"),
            ["sha"] = commit.Sha,
            ["node_id"] = GitHubShapes.NodeId("C", index + repo.Id),
            ["html_url"] = GitHubShapes.Html($"{repo.FullName}/commit/{commit.Sha}"),
            ["comments_url"] = shapes.Api($"repos/{repo.FullName}/commits/{commit.Sha}/comments"),
            ["commit"] = new JsonObject
            {
                ["url"] = shapes.Api($"repos/{repo.FullName}/git/commits/{commit.Sha}"),
                ["author"] = gitUser,
                ["committer"] = gitUser.DeepClone(),
                ["message"] = commit.Message,
                ["comment_count"] = 0,
                ["tree"] = new JsonObject { ["sha"] = Sha("tree " + commit.Sha, 0), ["url"] = shapes.Api($"repos/{repo.FullName}/git/trees/{commit.Sha}") },
            },
            ["author"] = shapes.User(commit.AuthorName, 5000 + commit.AuthorName.Length),
            ["committer"] = shapes.User("web-flow", 19864447),
            ["parents"] = index > 0
                ? new JsonArray(new JsonObject { ["sha"] = branch[index - 1].Sha, ["url"] = shapes.Api($"repos/{repo.FullName}/commits/{branch[index - 1].Sha}") })
                : new JsonArray(),
        };
    }

    private JsonObject RunJson(Repo repo, Run run)
    {
        var shapes = new GitHubShapes(BaseAddress);
        var workflow = repo.Workflows.FirstOrDefault(w => w.Id == run.WorkflowId) ?? new Workflow(run.WorkflowId, ".github/workflows/unknown.yml", "unknown");
        var path = $"repos/{repo.FullName}/actions/runs/{run.Id}";
        var repository = shapes.Repository(repo.Owner, repo.Name, repo.Id, repo.DefaultBranch);
        return new JsonObject
        {
            ["id"] = run.Id,
            ["name"] = workflow.Name,
            ["node_id"] = GitHubShapes.NodeId("WFR", run.Id),
            ["head_branch"] = run.HeadBranch,
            ["head_sha"] = run.HeadSha,
            ["path"] = workflow.Path,
            ["display_title"] = workflow.Name,
            ["run_number"] = run.RunNumber,
            ["event"] = run.Event,
            ["status"] = run.Status,
            ["conclusion"] = run.Conclusion,
            ["workflow_id"] = run.WorkflowId,
            ["url"] = shapes.Api(path),
            ["html_url"] = GitHubShapes.Html($"{repo.FullName}/actions/runs/{run.Id}"),
            ["pull_requests"] = new JsonArray(),
            ["created_at"] = GitHubShapes.Time(run.CreatedAt),
            ["updated_at"] = GitHubShapes.Time(run.CreatedAt),
            ["jobs_url"] = shapes.Api($"{path}/jobs"),
            ["logs_url"] = shapes.Api($"{path}/logs"),
            ["check_suite_url"] = shapes.Api($"repos/{repo.FullName}/check-suites/{run.Id + 1}"),
            ["artifacts_url"] = shapes.Api($"{path}/artifacts"),
            ["cancel_url"] = shapes.Api($"{path}/cancel"),
            ["rerun_url"] = shapes.Api($"{path}/rerun"),
            ["workflow_url"] = shapes.Api($"repos/{repo.FullName}/actions/workflows/{run.WorkflowId}"),
            ["head_commit"] = null,
            ["repository"] = repository,
            ["head_repository"] = repository.DeepClone(),
        };
    }

    private JsonObject CheckRunJson(Repo repo, CheckRun run)
    {
        var shapes = new GitHubShapes(BaseAddress);
        var completed = run.Status == "completed";
        return new JsonObject
        {
            ["id"] = run.Id,
            ["head_sha"] = run.HeadSha,
            ["node_id"] = GitHubShapes.NodeId("CR", run.Id),
            ["external_id"] = "",
            ["url"] = shapes.Api($"repos/{repo.FullName}/check-runs/{run.Id}"),
            ["html_url"] = GitHubShapes.Html($"{repo.FullName}/runs/{run.Id}"),
            ["details_url"] = GitHubShapes.Html($"{repo.FullName}/runs/{run.Id}"),
            ["status"] = run.Status,
            ["conclusion"] = run.Conclusion,
            ["started_at"] = GitHubShapes.Time(run.At),
            ["completed_at"] = completed ? GitHubShapes.Time(run.At) : null,
            ["output"] = new JsonObject { ["title"] = run.Name, ["summary"] = run.Conclusion ?? run.Status, ["text"] = null, ["annotations_count"] = 0,
                ["annotations_url"] = shapes.Api($"repos/{repo.FullName}/check-runs/{run.Id}/annotations") },
            ["name"] = run.Name,
            ["check_suite"] = new JsonObject { ["id"] = run.Id + 1 },
            ["app"] = new JsonObject
            {
                ["id"] = 15368 + run.AppSlug.Length,
                ["slug"] = run.AppSlug,
                ["node_id"] = GitHubShapes.NodeId("A", 15368 + run.AppSlug.Length),
                ["name"] = run.AppSlug,
                ["owner"] = shapes.User("github", 9919),
                ["description"] = null,
                ["external_url"] = "https://github.com",
                ["html_url"] = GitHubShapes.Html($"apps/{run.AppSlug}"),
                ["created_at"] = "2018-07-30T09:30:17Z",
                ["updated_at"] = "2024-04-10T20:33:16Z",
                ["permissions"] = new JsonObject(),
                ["events"] = new JsonArray(),
            },
            ["pull_requests"] = new JsonArray(),
        };
    }

    private JsonObject PullJson(Repo repo, Pull pull)
    {
        var shapes = new GitHubShapes(BaseAddress);
        var path = $"repos/{repo.FullName}/pulls/{pull.Number}";
        var html = GitHubShapes.Html($"{repo.FullName}/pull/{pull.Number}");
        var issuePath = $"repos/{repo.FullName}/issues/{pull.Number}";
        JsonObject Ref(string branch, string sha) => new()
        {
            ["label"] = $"{repo.Owner}:{branch}",
            ["ref"] = branch,
            ["sha"] = sha,
            ["user"] = shapes.User(repo.Owner, repo.Id + 1_000_000),
            ["repo"] = shapes.Repository(repo.Owner, repo.Name, repo.Id, repo.DefaultBranch),
        };
        JsonObject Link(string href) => new() { ["href"] = href };
        return new JsonObject
        {
            ["url"] = shapes.Api(path),
            ["id"] = pull.Id,
            ["node_id"] = GitHubShapes.NodeId("PR", pull.Id),
            ["html_url"] = html,
            ["diff_url"] = html + ".diff",
            ["patch_url"] = html + ".patch",
            ["issue_url"] = shapes.Api(issuePath),
            ["commits_url"] = shapes.Api($"{path}/commits"),
            ["review_comments_url"] = shapes.Api($"{path}/comments"),
            ["review_comment_url"] = shapes.Api($"repos/{repo.FullName}/pulls/comments{{/number}}"),
            ["comments_url"] = shapes.Api($"{issuePath}/comments"),
            ["statuses_url"] = shapes.Api($"repos/{repo.FullName}/statuses/{pull.HeadSha}"),
            ["number"] = pull.Number,
            ["state"] = pull.Merged ? "closed" : "open",
            ["locked"] = false,
            ["title"] = pull.Title,
            ["user"] = shapes.User("autopilot[bot]", 9000),
            ["body"] = pull.Body,
            ["labels"] = new JsonArray(),
            ["milestone"] = null,
            ["created_at"] = GitHubShapes.Time(pull.CreatedAt),
            ["updated_at"] = GitHubShapes.Time(pull.MergedAt ?? pull.CreatedAt),
            ["closed_at"] = pull.MergedAt is { } m ? GitHubShapes.Time(m) : null,
            ["merged_at"] = pull.MergedAt is { } merged ? GitHubShapes.Time(merged) : null,
            ["merge_commit_sha"] = pull.MergeCommitSha,
            ["assignee"] = null,
            ["head"] = Ref(pull.Head, pull.HeadSha),
            ["base"] = Ref(pull.Base, repo.Branches[pull.Base][^1].Sha),
            ["_links"] = new JsonObject
            {
                ["self"] = Link(shapes.Api(path)),
                ["html"] = Link(html),
                ["issue"] = Link(shapes.Api(issuePath)),
                ["comments"] = Link(shapes.Api($"{issuePath}/comments")),
                ["review_comments"] = Link(shapes.Api($"{path}/comments")),
                ["review_comment"] = Link(shapes.Api($"repos/{repo.FullName}/pulls/comments{{/number}}")),
                ["commits"] = Link(shapes.Api($"{path}/commits")),
                ["statuses"] = Link(shapes.Api($"repos/{repo.FullName}/statuses/{pull.HeadSha}")),
            },
            ["author_association"] = "NONE",
            ["auto_merge"] = null,
            ["draft"] = pull.Draft,
            ["merged"] = pull.Merged,
            ["mergeable"] = pull.Mergeable,
            ["mergeable_state"] = pull.Mergeable ? "clean" : "dirty",
            ["merged_by"] = null,
            ["comments"] = 0,
            ["review_comments"] = 0,
            ["maintainer_can_modify"] = false,
            ["commits"] = 1,
            ["additions"] = 1,
            ["deletions"] = 0,
            ["changed_files"] = 1,
        };
    }

    // ---- plumbing ----

    /// <summary>Serves one page (<c>per_page</c> ≤ 100, default 30; <c>page</c> from 1) with GitHub's Link header.</summary>
    private static Task PagedAsync(HttpContext context, List<JsonNode> items, Func<IEnumerable<JsonNode>, JsonNode> render)
    {
        var perPage = int.TryParse(context.Request.Query["per_page"], CultureInfo.InvariantCulture, out var pp) ? Math.Clamp(pp, 1, 100) : 30;
        var page = int.TryParse(context.Request.Query["page"], CultureInfo.InvariantCulture, out var p) ? Math.Max(1, p) : 1;
        var lastPage = Math.Max(1, (items.Count + perPage - 1) / perPage);
        var links = new List<string>();
        string PageUrl(int number)
        {
            var query = context.Request.Query.Where(q => q.Key != "page").Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}")
                .Append($"page={number}");
            return $"<{context.Request.Scheme}://{context.Request.Host}{context.Request.Path}?{string.Join('&', query)}>";
        }
        if (page < lastPage) links.Add($"{PageUrl(page + 1)}; rel=\"next\"");
        if (page < lastPage) links.Add($"{PageUrl(lastPage)}; rel=\"last\"");
        if (page > 1) links.Add($"{PageUrl(1)}; rel=\"first\"");
        if (page > 1) links.Add($"{PageUrl(page - 1)}; rel=\"prev\"");
        if (links.Count > 0) context.Response.Headers["Link"] = string.Join(", ", links);
        var slice = items.Skip((page - 1) * perPage).Take(perPage).Select(n => n.DeepClone());
        return Json(context, 200, render(slice));
    }

    private static async Task<JsonObject?> ReadBodyAsync(HttpContext context)
    {
        try
        {
            return (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted)) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonObject ErrorJson(string message, string documentationUrl) => new() { ["message"] = message, ["documentation_url"] = documentationUrl };

    private static Task Error(HttpContext context, int status, string message, string documentationUrl) =>
        Json(context, status, ErrorJson(message, documentationUrl));

    private static Task ValidationFailed(HttpContext context, JsonNode error) => Json(context, 422, new JsonObject
    {
        ["message"] = "Validation Failed",
        ["errors"] = new JsonArray(error),
        ["documentation_url"] = Docs,
    });

    private static Task Json(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(body.ToJsonString());
    }

    private long LabelId(string label)
    {
        if (!_labelIds.TryGetValue(label, out var id)) _labelIds[label] = id = ++_nextId;
        return id;
    }

    private Repo RequireRepo(string owner, string name) =>
        _repos.TryGetValue($"{owner}/{name}", out var repo) ? repo : throw new ArgumentException($"No repository {owner}/{name} in the fake.");

    private static Pull RequirePull(Repo repo, int number) =>
        repo.Pulls.FirstOrDefault(p => p.Number == number) ?? throw new ArgumentException($"No pull request #{number} in {repo.FullName}.");

    private static string Sha(string seed, long salt) =>
        Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes($"{seed}:{salt}")));

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '='));
    }
}
