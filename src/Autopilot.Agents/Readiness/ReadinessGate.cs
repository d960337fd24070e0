using Akka.Actor;
using Akka.Event;
using Autopilot.Agents.Policy;
using Autopilot.Agents.Protocol;
using Autopilot.Platforms.GitHub;
using Autopilot.Platforms.Redaction;

namespace Autopilot.Agents.Readiness;

/// <summary>
/// The production-readiness gate (child <c>readiness</c> of the orchestrator): asked with <see cref="AssessCommit"/>, it
/// reads what GitHub knows about the commit — workflow runs, check runs, the commit's diff, the required documents, the
/// tags — and answers one <see cref="ReadinessReport"/> with every check (<see cref="ReadinessEvaluation"/>). It only
/// reads, so it passes no fence and a request sent again after a restart is harmless; it decides nothing: GO, WARNING or
/// NO-GO and what follows from it are the orchestrator's (see <see cref="ReadinessDecisions"/>). A read that fails
/// fails the checks that needed it, with a lower confidence, so a GitHub outage can never let a commit through.
/// </summary>
public sealed class ReadinessGate : ReceiveActor
{
    private readonly IGitHubClient _client;
    private readonly ReadinessSettings _settings;
    private readonly ConfidenceRules _rules;
    private readonly Redactor _redactor;
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Creates the gate; prefer <see cref="Props"/>.</summary>
    public ReadinessGate(IGitHubClient client, ReadinessSettings settings, ConfidenceRules rules, Redactor redactor)
    {
        _client = client;
        _settings = settings;
        _rules = rules;
        _redactor = redactor;
        Receive<AssessCommit>(Assess);
    }

    /// <summary>Props of the gate; <paramref name="redactor"/> is the host's (its registered secrets count as leaks in a diff too).</summary>
    public static Props Props(IGitHubClient client, ReadinessSettings settings, ConfidenceRules rules, Redactor? redactor = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(rules);
        var patterns = redactor ?? new Redactor();
        return Akka.Actor.Props.Create(() => new ReadinessGate(client, settings, rules, patterns));
    }

    /// <inheritdoc />
    protected override void PreStart() => IncarnationStarted.Announce(Context);

    /// <inheritdoc />
    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }

    private void Assess(AssessCommit command)
    {
        var replyTo = Sender;
        var log = Context.GetLogger();
        ReadAsync(command, _stopping.Token).ContinueWith(
            done =>
            {
                // The evaluation is pure: it runs here, off the actor, on what was read.
                var facts = done.IsCompletedSuccessfully
                    ? done.Result
                    : Unread(command, done.Exception?.GetBaseException().Message ?? "cancelled");
                var checks = ReadinessEvaluation.Evaluate(facts, _settings, _rules, _redactor);
                if (facts.Errors.Count > 0)
                {
                    log.Warning("Readiness of {0} at {1}: GitHub reads failed ({2}); the checks that needed them fail.",
                        command.Service, command.Commit, string.Join("; ", facts.Errors.Select(e => $"{e.Key}: {e.Value}")));
                }

                replyTo.Tell(new ReadinessReport(command.ActionId, checks));
            },
            TaskScheduler.Default);
    }

    private static ReadinessFacts Unread(AssessCommit command, string error) => new(
        null, null, null, null, null, command.LastGoodDeploymentId,
        new Dictionary<string, string>(StringComparer.Ordinal) { ["runs"] = error, ["check-runs"] = error, ["commit"] = error, ["documents"] = error, ["tags"] = error });

    private async Task<ReadinessFacts> ReadAsync(AssessCommit command, CancellationToken ct)
    {
        if (command.Repository is not { } repository)
        {
            return Unread(command, $"service {command.Service} has no repository configured");
        }

        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        async Task<T?> Read<T>(string what, Func<Task<T>> read) where T : class
        {
            try
            {
                return await read().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                lock (errors)
                {
                    errors[what] = _redactor.Redact(e.Message);
                }

                return null;
            }
        }

        var runs = Read("runs", () => _client.ListWorkflowRunsForCommitAsync(repository, command.Commit, ct));
        var checkRuns = Read("check-runs", () => _client.ListCheckRunsForRefAsync(repository, command.Commit, ct));
        var commit = Read("commit", () => _client.GetCommitAsync(repository, command.Commit, ct));
        var tags = Read("tags", () => _client.ListTagsAsync(repository, 10, ct));
        var documents = Read<IReadOnlyDictionary<string, bool>>("documents", async () =>
        {
            var found = new Dictionary<string, bool>(StringComparer.Ordinal);
            foreach (var path in _settings.RequiredDocuments)
            {
                found[path] = await _client.ContentExistsAsync(repository, path, command.Commit, ct).ConfigureAwait(false);
            }

            return found;
        });
        await Task.WhenAll(runs, checkRuns, commit, tags, documents).ConfigureAwait(false);
        return new ReadinessFacts(await runs, await checkRuns, await commit, await documents, await tags, command.LastGoodDeploymentId, errors);
    }
}
