using Akka.Actor;
using Akka.Event;
using Autopilot.Agents.Fencing;
using Autopilot.Agents.Protocol;
using Autopilot.Platforms.GitHub;

namespace Autopilot.Agents.GitHub;

/// <summary>
/// The orchestrator's link to GitHub (child <c>github</c>): incident issues deduplicated by fingerprint, workflow
/// dispatch, commits and their checks for the observe step, webhook intake (push, workflow_run, check_suite) turned into
/// observations, and the app token kept fresh through the platform's token source.
/// Every write (issue, comment, commit comment, workflow dispatch) passes the node's <see cref="IActionFence"/> right before its call; a
/// refused write is answered as failed with <see cref="ActionFence.NotHeldError"/>. Reads and token refreshes are not fenced.
/// </summary>
public sealed class GitHubWorker : ReceiveActor, IWithTimers
{
    private const string TokenTimer = "token-refresh";
    private readonly IGitHubClient _client;
    private readonly IGitHubTokenSource? _tokens;
    private readonly GitHubSettings _settings;
    private readonly IActionFence _fence;
    private readonly ILoggingAdapter _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, IActorRef> _inFlight = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reportedPushes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reportedChecks = new(StringComparer.Ordinal);

    /// <summary>Creates the worker; prefer <see cref="Props"/>.</summary>
    public GitHubWorker(IGitHubClient client, IGitHubTokenSource? tokens, GitHubSettings settings, IActionFence? fence = null)
    {
        _client = client;
        _tokens = tokens;
        _settings = settings;
        _fence = fence ?? ActionFence.Unfenced;
        _log = Context.GetLogger();

        Receive<OpenIncidentIssue>(c => Run(c.ActionId, ct => OpenIssueAsync(c, ct)));
        Receive<DispatchWorkflow>(c => Run(c.ActionId, async ct =>
        {
            Fence($"GitHub dispatch of workflow {c.WorkflowId} on {c.Ref} in {c.Repository}");
            await _client.DispatchWorkflowAsync(c.Repository, c.WorkflowId, c.Ref, c.Inputs, ct).ConfigureAwait(false);
            return $"dispatched {c.WorkflowId} on {c.Ref}";
        }));
        Receive<CommentOnCommit>(c => Run(c.ActionId, async ct =>
        {
            var repository = c.Repository ?? throw new InvalidOperationException("no repository to comment on: the service has none configured");
            Fence($"GitHub comment on commit {c.Sha} in {repository}");
            var comment = await _client.CommentOnCommitAsync(repository, c.Sha, $"{c.Body}\n\n{IncidentFingerprints.ActionMarker(c.ActionId)}", ct).ConfigureAwait(false);
            return $"commented on commit {c.Sha} ({comment.HtmlUrl})";
        }));
        Receive<PollCommits>(_ => PollBranches());
        Receive<ExternalEvent>(OnWebhook);
        Receive<Finished>(OnFinished);
        Receive<Seen>(OnSeen);
        Receive<RefreshToken>(_ => RefreshTokenAhead());
        Receive<TokenRefreshFailed>(failed => Context.Parent.Tell(new WorkerReport(WorkerNames.GitHub,
            new SecurityEventRecorded("github-token-refresh-failed", "github", failed.Error, Context.System.Scheduler.Now))));
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>
    /// Props for the worker; <paramref name="tokens"/> is the token source the client uses (null when it needs no
    /// refreshing), <paramref name="fence"/> the node's lease (null: a single node, nothing fenced).
    /// </summary>
    public static Props Props(IGitHubClient client, IGitHubTokenSource? tokens, GitHubSettings settings, IActionFence? fence = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(settings);
        var actions = fence ?? ActionFence.Unfenced;
        return Akka.Actor.Props.Create(() => new GitHubWorker(client, tokens, settings, actions));
    }

    private sealed record Finished(string ActionId, bool Success, string Text);

    private sealed record Seen(WatchedBranch Branch, string Sha, string? Message, bool? Passed);

    private sealed record RefreshToken;

    private sealed record TokenRefreshFailed(string Error);

    /// <inheritdoc />
    protected override void PreStart()
    {
        IncarnationStarted.Announce(Context);
        if (_tokens is not null)
        {
            Self.Tell(new RefreshToken());
            Timers.StartPeriodicTimer(TokenTimer, new RefreshToken(), _settings.TokenRefreshInterval);
        }
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }

    private void Run(string actionId, Func<CancellationToken, Task<string>> work)
    {
        _inFlight[actionId] = Sender;
        var self = Self;
        work(_stopping.Token).ContinueWith(
            done => self.Tell(done.IsCompletedSuccessfully
                ? new Finished(actionId, true, done.Result)
                : new Finished(actionId, false, done.Exception?.GetBaseException().Message ?? "cancelled")),
            TaskScheduler.Default);
    }

    private void OnFinished(Finished finished)
    {
        if (_inFlight.Remove(finished.ActionId, out var replyTo))
        {
            replyTo.Tell(finished.Success
                ? new WorkerResult(finished.ActionId, true, finished.Text)
                : new WorkerResult(finished.ActionId, false, Error: finished.Text));
        }
    }

    private async Task<string> OpenIssueAsync(OpenIncidentIssue command, CancellationToken ct)
    {
        var repository = command.Repository ?? _settings.IncidentRepository
            ?? throw new InvalidOperationException("no repository for incident issues: set autopilot.agents.github.incident-repository");
        var label = IncidentFingerprints.Label(command.Fingerprint);
        var marker = IncidentFingerprints.Marker(command.Fingerprint);
        var written = IncidentFingerprints.ActionMarker(command.ActionId);
        Fence($"GitHub incident issue {command.Fingerprint} in {repository}");
        var (issue, created) = await _client.OpenIssueOnceAsync(
            repository, new NewIssue(command.Title, $"{command.Body}\n\n{written}", _settings.IssueLabels), label, marker, ct).ConfigureAwait(false);
        if (created)
        {
            return $"opened issue #{issue.Number}";
        }

        if (issue.Body?.Contains(written, StringComparison.Ordinal) == true)
        {
            // This very request opened it before a crash cut off its answer.
            return $"opened issue #{issue.Number}";
        }

        Fence($"GitHub comment on issue #{issue.Number} in {repository}");
        await _client.CommentAsync(repository, issue.Number, $"Happened again.\n\n{command.Body}\n\n{written}", ct).ConfigureAwait(false);
        return $"commented on issue #{issue.Number}";
    }

    /// <summary>
    /// The worker's one fence check, right before each write to GitHub: throws <see cref="ActionFenceException"/> when
    /// this node no longer holds the lease, which <see cref="Run"/> answers as a failed action; the write is not made.
    /// </summary>
    private void Fence(string call) => _fence.EnsureHeld(_log, call);

    private void PollBranches()
    {
        foreach (var branch in _settings.Branches)
        {
            Inspect(branch, sha: null);
        }
    }

    /// <summary>Reads a commit (the branch head when <paramref name="sha"/> is null) and its workflow runs, off the actor thread.</summary>
    private void Inspect(WatchedBranch branch, string? sha)
    {
        var self = Self;
        var ct = _stopping.Token;
        InspectAsync().ContinueWith(
            done =>
            {
                if (done.IsCompletedSuccessfully && done.Result is { } seen)
                {
                    self.Tell(seen);
                }
            },
            TaskScheduler.Default);

        async Task<Seen?> InspectAsync()
        {
            string? message = null;
            if (sha is null)
            {
                var commits = await _client.ListCommitsAsync(branch.Repository, branch.Branch, 1, cancellationToken: ct).ConfigureAwait(false);
                if (commits.Count == 0)
                {
                    return null;
                }

                sha = commits[0].Sha;
                message = commits[0].Message.Split('\n')[0];
            }

            var runs = await _client.ListWorkflowRunsForCommitAsync(branch.Repository, sha, ct).ConfigureAwait(false);
            bool? passed = runs.Count == 0 || runs.Any(r => r.Status != "completed")
                ? null
                : runs.All(r => r.Conclusion is "success" or "skipped" or "neutral");
            return new Seen(branch, sha, message, passed);
        }
    }

    private void OnSeen(Seen seen)
    {
        var now = Context.System.Scheduler.Now;
        var key = $"{seen.Branch.Repository}@{seen.Sha}";
        if (_reportedPushes.Add(key))
        {
            Context.Parent.Tell(new WorkerReport(WorkerNames.GitHub, new CommitPushed(seen.Branch.Repository.ToString(), seen.Branch.Branch, seen.Sha, now)));
        }

        if (seen.Passed is { } passed && _reportedChecks.Add(key))
        {
            Context.Parent.Tell(new WorkerReport(WorkerNames.GitHub,
                new CommitChecksCompleted(seen.Branch.Repository.ToString(), seen.Branch.Branch, seen.Sha, passed, seen.Message, now)));
        }
    }

    private void OnWebhook(ExternalEvent webhook)
    {
        // Only the commit matters: whatever the event says about checks, the runs are read back from GitHub, so a
        // partial or reordered delivery can never make the autopilot deploy a commit whose checks did not all pass.
        var repository = webhook.Text("repository", "full_name");
        var (branchName, sha) = webhook.EventType switch
        {
            "push" => (webhook.Text("ref")?.Replace("refs/heads/", "", StringComparison.Ordinal), webhook.Text("after")),
            "workflow_run" => (webhook.Text("workflow_run", "head_branch"), webhook.Text("workflow_run", "head_sha")),
            "check_suite" => (webhook.Text("check_suite", "head_branch"), webhook.Text("check_suite", "head_sha")),
            _ => (null, null),
        };
        var branch = _settings.Branches.FirstOrDefault(b => b.Repository.ToString().Equals(repository, StringComparison.OrdinalIgnoreCase) && b.Branch == branchName);
        if (branch is not null && sha is { Length: > 0 } && !sha.All(c => c == '0'))
        {
            Inspect(branch, sha);
        }
    }

    private void RefreshTokenAhead()
    {
        var self = Self;
        _tokens!.GetTokenAsync(_stopping.Token).AsTask().ContinueWith(
            done =>
            {
                if (!done.IsCompletedSuccessfully)
                {
                    // Never include the token or key: only the failure's type and (already redacted) message.
                    self.Tell(new TokenRefreshFailed(done.Exception?.GetBaseException().Message ?? "cancelled"));
                }
            },
            TaskScheduler.Default);
    }
}
