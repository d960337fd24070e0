using System.Collections.Concurrent;
using System.Text.Json;
using Autopilot.Actors;
using Autopilot.Actors.Configuration;
using Autopilot.Actors.Persistence;
using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.Query;
using Autopilot.Actors.Persistence.Serialization;
using Autopilot.Actors.Persistence.Snapshots;
using Autopilot.Actors.TestKit;
using Autopilot.Agents.Alerts;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Railway;
using Autopilot.Agents.GitHub;
using Autopilot.Platforms.GitHub;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Railway;
using Autopilot.Platforms.Redaction;
using Autopilot.Simulator.GitHub;
using Autopilot.Simulator.Railway;
using Autopilot.Simulator.Telegram;
using Autopilot.Platforms.Telegram;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Support;

/// <summary>
/// A whole autopilot on virtual time against the real Railway and GitHub fakes (Kestrel on 127.0.0.1) with the
/// in-memory journal. Alerts go to <see cref="Alerts"/>, a probe standing in for the alerts worker.
/// </summary>
public abstract class ScenarioTestKit : TestKit, IAsyncLifetime
{
    /// <summary>Watched repository.</summary>
    public const string Owner = "acme";

    /// <summary>Watched repository.</summary>
    public const string RepoName = "api";

    /// <summary>The logical service name.</summary>
    public const string Service = "api";

    private const string RailwayToken = "rw-test-token-5f1e2d3c";
    private const string GitHubToken = "ghp_testtoken0123456789abcdef";
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(5);
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private const string TelegramToken = "123456:AAtelegram-test-token-0123456789";
    private const long AlertChat = -1001234567;
    private readonly EventSerializer _serializer = AutopilotTree.RegisterEvents(new EventSerializer());
    private readonly InMemoryEventJournal _journal;
    private readonly InMemorySnapshotStore _snapshots;
    private int _deliveries;

    /// <summary>Starts the actor system on virtual time with persistence.</summary>
    protected ScenarioTestKit(ITestOutputHelper output) : base((string?)null, output, virtualTime: true)
    {
        _journal = new InMemoryEventJournal(_serializer);
        _journal.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        Outage = new JournalOutage(_journal);
        _snapshots = new InMemorySnapshotStore(_serializer);
        PersistenceExtension.Start(Sys, Outage, _snapshots);
        RailwayFake = new RailwayFake(Time, RailwayFakeOptions.Default);
        GitHubFake = new GitHubFake(Time);
        TelegramFake = new TelegramFake(Time);
    }

    /// <summary>The journal the actors write through: set <see cref="JournalOutage.IsDown"/> to make their writes fail.</summary>
    public JournalOutage Outage { get; }

    /// <summary>The simulated Railway.</summary>
    public RailwayFake RailwayFake { get; }

    /// <summary>The simulated GitHub.</summary>
    public GitHubFake GitHubFake { get; }

    /// <summary>The simulated Telegram, where WARNING and CRITICAL alerts end up.</summary>
    public TelegramFake TelegramFake { get; }

    /// <summary>Messages the alerts chat received.</summary>
    public IReadOnlyList<TelegramFakeMessage> AlertChatMessages => TelegramFake.MessagesIn(AlertChat);

    /// <summary>Everything sent to the alerts worker (recorded on its way to the real one).</summary>
    public ConcurrentQueue<object> AlertMessages { get; } = new();

    /// <summary>The alerts raised so far.</summary>
    public IReadOnlyList<RaiseAlert> Alerts => AlertMessages.OfType<RaiseAlert>().ToArray();

    /// <summary>The watched Railway service.</summary>
    public RailwayFakeService RailwayService { get; private set; } = null!;

    /// <summary>The Railway client the autopilot uses.</summary>
    public IRailwayClient RailwayClient { get; private set; } = null!;

    /// <summary>The GitHub client the autopilot uses.</summary>
    public IGitHubClient GitHubClient { get; private set; } = null!;

    /// <summary>The Telegram client the alerts worker uses.</summary>
    public TelegramBotClient TelegramClient { get; private set; } = null!;

    /// <summary>Extra HOCON for a scenario (e.g. a smaller budget), layered over the test defaults.</summary>
    protected virtual string ExtraConfig => "";

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        await RailwayFake.StartAsync();
        await GitHubFake.StartAsync();
        await TelegramFake.StartAsync();
        TelegramFake.AddBot(TelegramToken);
        RailwayFake.AddAccountToken(RailwayToken);
        GitHubFake.AddPersonalToken(GitHubToken);
        GitHubFake.AddRepository(Owner, RepoName);
        GitHubFake.AddWorkflow(Owner, RepoName, 1, "ci.yml", "CI");
        RailwayService = RailwayFake.AddServiceWithProject(Service);

        // The clients retry and time out on real time: virtual jumps must not expire a request that is merely in flight.
        var calls = new PlatformCallOptions(2, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        RailwayClient = new RailwayClient(_http, new RailwayClientOptions(RailwayToken, RailwayTokenKind.Account) { Endpoint = RailwayFake.Endpoint, Call = calls },
            TimeProvider.System, new Redactor(), NullLogger.Instance);
        GitHubClient = new GitHubClient(_http, new GitHubClientOptions { BaseAddress = GitHubFake.BaseAddress, Call = calls },
            new PersonalAccessTokenSource(GitHubToken), TimeProvider.System, new Redactor(), NullLogger.Instance);
        TelegramClient = new TelegramBotClient(_http, new TelegramBotOptions(TelegramToken, TelegramFake.BaseAddress, calls), new Redactor(), TimeProvider.System, NullLogger.Instance);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        Shutdown();
        await RailwayFake.DisposeAsync();
        await GitHubFake.DisposeAsync();
        await TelegramFake.DisposeAsync();
        _http.Dispose();
    }

    /// <summary>The settings every scenario runs with (plus <see cref="ExtraConfig"/>).</summary>
    protected AgentsSettings AgentSettings() => AgentsSettings.FromConfig(Configuration());

    /// <summary>The configuration every scenario runs with (plus <see cref="ExtraConfig"/>).</summary>
    protected Config Configuration() => ConfigurationFactory.ParseString($$"""
        {{ExtraConfig}}
        autopilot.agents {
          orchestrator.cycle-interval = 1h
          alerts {
            telegram.chat = "{{AlertChat}}"
            issue-repository = "{{Owner}}/{{RepoName}}"
            retry-base-delay = 1s
          }
          railway {
            environment-id = "{{RailwayService.EnvironmentId}}"
            stable-after = 30s
            services.api {
              service-id = "{{RailwayService.ServiceId}}"
              repository = "{{Owner}}/{{RepoName}}"
              branch = main
              depends-on = [postgres]
            }
          }
        }
        """);

    /// <summary>
    /// Starts an orchestrator with the real Railway and GitHub workers (or <paramref name="railway"/> in place of the Railway
    /// worker), the real alerts worker (Telegram and GitHub channels, every alert recorded on its way in) and
    /// <paramref name="health"/> and <paramref name="n8n"/> (if any) as health and n8n workers.
    /// </summary>
    protected IActorRef StartOrchestrator(Props? railway = null, Props? health = null, Props? n8n = null, string name = "orchestrator")
    {
        var settings = AgentSettings();
        var workers = new OrchestratorWorkers(
            railway ?? RailwayWorker.Props(RailwayClient, settings.Railway),
            GitHubWorker.Props(GitHubClient, null, settings.GitHub),
            Alerts: TeeActor.Props(
                AlertWorker.Props(settings.Alerts, AutopilotTree.AlertChannels(settings, new AutopilotClients(RailwayClient, GitHubClient, Telegram: TelegramClient))),
                "outbox",
                AlertMessages),
            N8n: n8n,
            Health: health);
        return ActorOf(global::Autopilot.Agents.Orchestrator.Orchestrator.Props(settings.Orchestrator, settings.Railway, settings.Policy, workers), name);
    }

    /// <summary>A GitHub <c>ping</c> webhook with delivery id <paramref name="deliveryId"/>: an external event that changes nothing but the orchestrator's memory of deliveries.</summary>
    protected static ExternalEvent GitHubPing(string deliveryId) =>
        new(ExternalEventSources.GitHub, "ping", deliveryId, JsonDocument.Parse("""{"zen":"Keep it logically awesome."}""").RootElement);

    /// <summary>Pushes a commit with a green CI run to main and delivers the workflow_run webhook for it.</summary>
    protected string PushGreenCommit(IActorRef orchestrator, string message)
    {
        var sha = GitHubFake.PushCommit(Owner, RepoName, "main", message);
        GitHubFake.AddWorkflowRun(Owner, RepoName, 1, sha, "completed", "success");
        var payload = JsonSerializer.SerializeToElement(new
        {
            action = "completed",
            repository = new { full_name = $"{Owner}/{RepoName}" },
            workflow_run = new { head_branch = "main", head_sha = sha, status = "completed", conclusion = "success" },
        });
        orchestrator.Tell(new ExternalEvent("github", "workflow_run", $"delivery-{Interlocked.Increment(ref _deliveries)}", payload), ActorRefs.NoSender);
        return sha;
    }

    /// <summary>Lets virtual time pass in small steps until <paramref name="condition"/> holds (generous step budget).</summary>
    protected async Task AdvanceUntilAsync(Func<bool> condition, string what, int maxSteps = 400)
    {
        for (var i = 0; i < maxSteps; i++)
        {
            if (condition())
            {
                return;
            }

            Time.Advance(Step);
            // Real time for in-flight HTTP calls and mailboxes to catch up before the clock moves again.
            await Task.Delay(15);
        }

        Assert.True(condition(), $"Gave up waiting for: {what}");
    }

    /// <summary>Lets virtual time pass until the audit trail contains an event matching <paramref name="match"/>.</summary>
    protected Task AdvanceUntilAuditAsync<T>(Func<T, bool> match, string what) where T : IAuditEvent =>
        AdvanceUntilAsync(() => AuditTrail().OfType<T>().Any(match), what);

    /// <summary>The audit trail so far, read through the persistence query by the <c>audit</c> tag.</summary>
    protected IReadOnlyList<IAuditEvent> AuditTrail()
    {
        var query = new PersistenceQuery(_journal);
        return query.CurrentEventsByTag(AuditEvents.Tag).ToBlockingEnumerable().Select(e => (IAuditEvent)e.Event).ToArray();
    }

    /// <summary>
    /// Writes <paramref name="events"/> to <paramref name="persistenceId"/> as if an earlier life of the actors had
    /// persisted them and then crashed (tagged like the actors tag them).
    /// </summary>
    protected async Task SeedJournalAsync(string persistenceId, params object[] events)
    {
        var next = await _journal.ReadHighestSequenceNrAsync(persistenceId) + 1;
        var written = events.Select((e, i) => new PersistentEvent(persistenceId, next + i, e, AuditEvents.TagsFor(e), Time.GetUtcNow())).ToArray();
        await _journal.WriteAsync(new AtomicWrite(persistenceId, written));
    }

    /// <summary>The newest snapshot of <paramref name="persistenceId"/> at or below <paramref name="maxSequenceNr"/>, or null.</summary>
    protected Task<SelectedSnapshot?> SnapshotAsync(string persistenceId, long maxSequenceNr = long.MaxValue) =>
        _snapshots.LoadAsync(persistenceId, new SnapshotSelectionCriteria(maxSequenceNr, DateTimeOffset.MaxValue));

    /// <summary>Deletes the journaled events of <paramref name="persistenceId"/> up to <paramref name="toSequenceNr"/>, as an operator trimming history would.</summary>
    protected Task DeleteJournalAsync(string persistenceId, long toSequenceNr) => _journal.DeleteMessagesToAsync(persistenceId, toSequenceNr);

    /// <summary>Railway calls to a root field (e.g. <c>deploymentRollback</c>).</summary>
    protected int RailwayCalls(string rootField) => RailwayFake.Calls.Count(c => c.RootFields.Contains(rootField));

    /// <summary>Asserts that events matching the predicates occur in this order (other events may be in between).</summary>
    protected static void AssertInOrder(IReadOnlyList<IAuditEvent> trail, params (string What, Func<IAuditEvent, bool> Match)[] steps)
    {
        var position = 0;
        foreach (var (what, match) in steps)
        {
            while (position < trail.Count && !match(trail[position]))
            {
                position++;
            }

            Assert.True(position < trail.Count,
                $"Expected \"{what}\" after the previous steps; trail was:\n{string.Join('\n', trail.Select(e => e.ToString()))}");
            position++;
        }
    }
}
