using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Akka.Actor;
using Akka.TestKit;
using Autopilot.Agents.GitHub;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.GitHub;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;
using Autopilot.Simulator.GitHub;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.GitHub;

public sealed class GitHubWorkerTests : AgentsTestKit, IAsyncLifetime
{
    private const string Token = "ghp_workertesttoken0123456789";
    private const string AppId = "4242";
    private const long InstallationId = 77;
    private static readonly GitHubRepository Repository = new("acme", "api");
    private static readonly PlatformCallOptions Calls = new(2, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly GitHubFake _fake;
    private readonly ConcurrentQueue<object> _reports = new();

    public GitHubWorkerTests(ITestOutputHelper output) : base(output) => _fake = new GitHubFake(Clock);

    public async Task InitializeAsync()
    {
        await _fake.StartAsync();
        _fake.AddPersonalToken(Token);
        _fake.AddRepository(Repository.Owner, Repository.Name);
        _fake.AddWorkflow(Repository.Owner, Repository.Name, 1, "ci.yml", "CI");
    }

    public async Task DisposeAsync()
    {
        Shutdown();
        await _fake.DisposeAsync();
        _http.Dispose();
    }

    private GitHubClientOptions Options => new() { BaseAddress = _fake.BaseAddress, Call = Calls };

    [Fact]
    public void A_repeated_incident_comments_on_its_open_issue_instead_of_opening_another()
    {
        var worker = StartWorker();

        worker.Tell(new OpenIncidentIssue("a1", null, "api:build-failed", "api: build failed", "error TS2345 in search.ts"), TestActor);
        Assert.Equal("opened issue #1", ExpectMsg<WorkerResult>(r => r.ActionId == "a1" && r.Success).Detail);
        worker.Tell(new OpenIncidentIssue("a2", null, "api:build-failed", "api: build failed", "error TS2345 again"), TestActor);
        Assert.Equal("commented on issue #1", ExpectMsg<WorkerResult>(r => r.ActionId == "a2" && r.Success).Detail);
        worker.Tell(new OpenIncidentIssue("a3", null, "api:crashed-again", "api: crashed again", "segfault"), TestActor);
        Assert.Equal("opened issue #2", ExpectMsg<WorkerResult>(r => r.ActionId == "a3" && r.Success).Detail);

        var issues = _fake.Issues(Repository.Owner, Repository.Name);
        Assert.Equal(2, issues.Count);
        var buildFailed = issues.Single(i => i.Number == 1);
        Assert.Contains("again", Assert.Single(buildFailed.Comments));
        Assert.Contains("autopilot", buildFailed.Labels);
        Assert.Contains(IncidentFingerprints.Label("api:build-failed"), buildFailed.Labels);
    }

    [Fact]
    public void An_issue_without_a_repository_fails_with_a_clear_error()
    {
        var worker = StartWorker(withIncidentRepository: false);

        worker.Tell(new OpenIncidentIssue("a1", null, "api:build-failed", "t", "b"), TestActor);

        var result = ExpectMsg<WorkerResult>(r => r.ActionId == "a1");
        Assert.False(result.Success);
        Assert.Contains("incident-repository", result.Error);
    }

    [Fact]
    public void Webhooks_become_observations_with_the_checks_read_back_from_GitHub()
    {
        var worker = StartWorker();
        var green = _fake.PushCommit(Repository.Owner, Repository.Name, "main", "green");
        _fake.AddWorkflowRun(Repository.Owner, Repository.Name, 1, green, "completed", "success");
        var red = _fake.PushCommit(Repository.Owner, Repository.Name, "main", "red");
        _fake.AddWorkflowRun(Repository.Owner, Repository.Name, 1, red, "completed", "success");
        _fake.AddWorkflowRun(Repository.Owner, Repository.Name, 1, red, "completed", "failure");
        var pending = _fake.PushCommit(Repository.Owner, Repository.Name, "main", "pending");
        _fake.AddWorkflowRun(Repository.Owner, Repository.Name, 1, pending, "in_progress", null);

        worker.Tell(Webhook("workflow_run", new { workflow_run = new { head_branch = "main", head_sha = green } }));
        worker.Tell(Webhook("check_suite", new { check_suite = new { head_branch = "main", head_sha = red } }));
        worker.Tell(Webhook("push", new { @ref = "refs/heads/main", after = pending }));
        worker.Tell(Webhook("push", new { @ref = "refs/heads/feature", after = pending }));

        AwaitCondition(() => Observations<CommitPushed>().Count == 3 && Observations<CommitChecksCompleted>().Count == 2);
        var checks = Observations<CommitChecksCompleted>().ToDictionary(c => c.Sha, c => c.Passed);
        Assert.True(checks[green]);
        Assert.False(checks[red]);
        Assert.DoesNotContain(pending, checks.Keys);
        Assert.All(Observations<CommitPushed>(), p => Assert.Equal("main", p.Branch));
    }

    [Fact]
    public void Polling_reports_the_head_commit_of_each_watched_branch_once()
    {
        var worker = StartWorker();
        var head = _fake.PushCommit(Repository.Owner, Repository.Name, "main", "Add search\n\nLonger description");
        _fake.AddWorkflowRun(Repository.Owner, Repository.Name, 1, head, "completed", "success");

        worker.Tell(PollCommits.Instance);
        AwaitCondition(() => Observations<CommitChecksCompleted>().Count == 1);
        worker.Tell(PollCommits.Instance);
        worker.Tell(new DispatchWorkflow("d1", Repository, "ci.yml", "main", new Dictionary<string, string>()), TestActor);
        ExpectMsg<WorkerResult>(r => r.ActionId == "d1" && r.Success);

        var checks = Assert.Single(Observations<CommitChecksCompleted>());
        Assert.Equal(head, checks.Sha);
        Assert.Equal("Add search", checks.Message);
        Assert.Single(Observations<CommitPushed>());
        Assert.Single(_fake.Dispatches);
    }

    [Fact]
    public void The_app_token_is_renewed_ahead_of_need_on_the_refresh_interval()
    {
        using var key = RSA.Create(2048);
        var publicKey = RSA.Create();
        publicKey.ImportRSAPublicKey(key.ExportRSAPublicKey(), out _);
        _fake.RegisterApp(AppId, publicKey, InstallationId, tokenLifetime: TimeSpan.FromMinutes(10));
        using var tokens = new GitHubAppTokenSource(
            _http, new GitHubAppCredentials(AppId, InstallationId, key.ExportRSAPrivateKeyPem()), Options, Clock, new Redactor(), NullLogger.Instance);
        StartWorker(tokens: tokens);

        // Until the first answer is read and cached, moving the clock would expire that request's timeout (virtual
        // time) while it is merely in flight, and its retry would wait for a clock that no longer moves.
        AwaitCondition(() => _fake.TokenExchanges == 1 && tokens.CachedUntil is not null);
        Scheduler.Advance(TimeSpan.FromMinutes(10));
        AwaitCondition(() => _fake.TokenExchanges == 2);
        Assert.Empty(Observations<SecurityEventRecorded>());
    }

    [Fact]
    public void A_token_that_cannot_be_renewed_is_reported_as_a_security_event_without_the_key()
    {
        using var registered = RSA.Create(2048);
        using var wrong = RSA.Create(2048);
        var publicKey = RSA.Create();
        publicKey.ImportRSAPublicKey(registered.ExportRSAPublicKey(), out _);
        _fake.RegisterApp(AppId, publicKey, InstallationId);
        var pem = wrong.ExportRSAPrivateKeyPem();
        using var tokens = new GitHubAppTokenSource(_http, new GitHubAppCredentials(AppId, InstallationId, pem), Options, Clock, new Redactor(), NullLogger.Instance);
        StartWorker(tokens: tokens);

        AwaitCondition(() => Observations<SecurityEventRecorded>().Count >= 1);
        var security = Observations<SecurityEventRecorded>()[0];
        Assert.Equal("github-token-refresh-failed", security.Kind);
        Assert.DoesNotContain("PRIVATE KEY", security.Detail);
        Assert.DoesNotContain(pem[40..80], security.Detail);
    }

    private IReadOnlyList<T> Observations<T>() => _reports.OfType<WorkerReport>().Select(r => r.Observation).OfType<T>().ToArray();

    private IActorRef StartWorker(IGitHubTokenSource? tokens = null, bool withIncidentRepository = true)
    {
        var settings = new GitHubSettings(
            withIncidentRepository ? Repository : null, ["autopilot", "incident"], TimeSpan.FromMinutes(10), [new WatchedBranch(Repository, "main")]);
        var client = new GitHubClient(_http, Options, new PersonalAccessTokenSource(Token), TimeProvider.System, new Redactor(), NullLogger.Instance);
        return ActorOf(ChildHost.Props(GitHubWorker.Props(client, tokens, settings), WorkerNames.GitHub, ActorOf(RecordingActor.Props(_reports))));
    }

    private static ExternalEvent Webhook(string eventType, object body)
    {
        var payload = JsonSerializer.SerializeToNode(body)!.AsObject();
        payload["repository"] = JsonSerializer.SerializeToNode(new { full_name = "acme/api" });
        return new ExternalEvent("github", eventType, Guid.NewGuid().ToString(), JsonSerializer.SerializeToElement(payload));
    }
}
