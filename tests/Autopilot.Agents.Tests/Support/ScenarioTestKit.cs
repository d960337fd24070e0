using System.Collections.Concurrent;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Autopilot.Agents.Alerts;
using Autopilot.Agents.Fencing;
using Autopilot.Agents.Migrations;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Railway;
using Autopilot.Agents.GitHub;
using Autopilot.Agents.Readiness;
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
/// A whole autopilot on virtual time (Akka's TestScheduler, which the fakes follow through <see cref="AgentsTestKit.Clock"/>)
/// against the real Railway, GitHub and Telegram fakes (Kestrel on 127.0.0.1) with Akka.Persistence.TestKit's
/// in-memory journal. Every alert is recorded on its way to the real alerts worker (<see cref="Alerts"/>).
/// </summary>
public abstract class ScenarioTestKit : AgentsTestKit, IAsyncLifetime
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
    /// <summary>The alerts chat (also where approvals are asked).</summary>
    protected const long AlertChat = -1001234567;
    private int _deliveries;
    private int _orchestratorStarts;
    private string? _alertsPersistenceId;

    /// <summary>Starts the actor system on virtual time with persistence.</summary>
    protected ScenarioTestKit(ITestOutputHelper output) : base(output)
    {
        RailwayFake = new RailwayFake(Clock, RailwayFakeOptions.Default);
        GitHubFake = new GitHubFake(Clock);
        TelegramFake = new TelegramFake(Clock);
    }

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

    /// <summary>Telegram users allowed to decide approvals (<c>autopilot.platforms.telegram.approvers</c> in the daemon).</summary>
    protected virtual IReadOnlySet<long> TelegramApprovers => new HashSet<long>();

    /// <summary>Extra HOCON for a scenario (e.g. a smaller budget), layered over the test defaults.</summary>
    protected virtual string ExtraConfig => "";

    /// <summary>
    /// Whether the repository gets a release tag at the start (so the readiness gate's rollback plan holds even before a
    /// last good deployment was observed); a scenario about a missing rollback plan turns it off.
    /// </summary>
    protected virtual bool SeedReleaseTag => true;

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
        // What the readiness gate asks of a deployable repository by default: its README, and something to roll back to.
        GitHubFake.AddFile(Owner, RepoName, "README.md", "# api\n");
        if (SeedReleaseTag)
        {
            GitHubFake.AddTag(Owner, RepoName, "v1.0.0");
        }

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
        await ShutdownAsync();
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
    /// <paramref name="health"/> and <paramref name="n8n"/> (if any) as health and n8n workers, the real readiness gate (or
    /// <paramref name="readiness"/> in its place). <paramref name="fence"/>
    /// (null: unfenced) goes to the orchestrator and the Railway, GitHub and alerts workers it builds. <paramref name="migrations"/>
    /// are the migrations workers (none when null).
    /// </summary>
    protected IActorRef StartOrchestrator(
        Props? railway = null, Props? health = null, Props? n8n = null, string? name = null, IActionFence? fence = null, Props? readiness = null,
        IReadOnlyList<MigrationWorkerProps>? migrations = null)
    {
        // A stopped actor's parent frees its name a moment after Terminated reached the test, so an orchestrator started
        // again (same persistence id, same journal) gets a name of its own instead of racing that.
        _orchestratorStarts++;
        name ??= _orchestratorStarts == 1 ? "orchestrator" : $"orchestrator-{_orchestratorStarts}";
        var settings = AgentSettings();
        settings = settings with
        {
            Orchestrator = settings.Orchestrator with { Approvals = settings.Orchestrator.ApprovalsOrDefault with { TelegramApprovers = TelegramApprovers } },
        };
        var workers = new OrchestratorWorkers(
            railway ?? RailwayWorker.Props(RailwayClient, settings.Railway, fence: fence),
            GitHubWorker.Props(GitHubClient, null, settings.GitHub, fence),
            Alerts: TeeActor.Props(
                AlertWorker.Props(settings.Alerts, AlertChannels(settings), fence,
                    AutopilotTree.ApprovalChannel(settings, new AutopilotClients(RailwayClient, GitHubClient, Telegram: TelegramClient))),
                "outbox",
                AlertMessages),
            N8n: n8n,
            Health: health,
            Readiness: readiness ?? ReadinessGate.Props(GitHubClient, settings.Readiness, settings.Confidence),
            Migrations: migrations);
        return Sys.ActorOf(global::Autopilot.Agents.Orchestrator.Orchestrator.Props(
            settings.Orchestrator, settings.Railway, settings.Policy, workers, fence, settings.Confidence, settings.Readiness), name);
    }

    /// <summary>The alert channels of the scenarios: Telegram (the alerts chat) and GitHub issues, on the fakes.</summary>
    protected IReadOnlyList<IAlertChannel> AlertChannels(AgentsSettings settings) =>
        AutopilotTree.AlertChannels(settings, new AutopilotClients(RailwayClient, GitHubClient, Telegram: TelegramClient));

    /// <summary>A GitHub <c>ping</c> webhook with delivery id <paramref name="deliveryId"/>: an external event that changes nothing but the orchestrator's memory of deliveries.</summary>
    protected static ExternalEvent GitHubPing(string deliveryId) =>
        new(ExternalEventSources.GitHub, "ping", deliveryId, JsonDocument.Parse("""{"zen":"Keep it logically awesome."}""").RootElement);

    /// <summary>Pushes a commit with a green CI run to main and delivers the workflow_run webhook for it.</summary>
    protected string PushGreenCommit(IActorRef orchestrator, string message) => PushGreenCommit(orchestrator, message, []);

    /// <summary>
    /// Pushes a commit changing <paramref name="changes"/> with a green CI run to main, lets <paramref name="before"/>
    /// add to it (check runs, further workflow runs) before anyone looks, and delivers the workflow_run webhook for it.
    /// </summary>
    protected string PushGreenCommit(IActorRef orchestrator, string message, IReadOnlyList<GitHubFakeFileChange> changes, Action<string>? before = null)
    {
        var sha = GitHubFake.PushCommit(Owner, RepoName, "main", message, changes);
        GitHubFake.AddWorkflowRun(Owner, RepoName, 1, sha, "completed", "success");
        before?.Invoke(sha);
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
    protected void AdvanceUntil(Func<bool> condition, string what, int maxSteps = 400) => AdvanceUntil(condition, Step, what, maxSteps);

    /// <summary>Lets virtual time pass until the audit trail contains an event matching <paramref name="match"/>.</summary>
    protected void AdvanceUntilAudit<T>(Func<T, bool> match, string what) where T : IAuditEvent =>
        AdvanceUntil(() => AuditTrail().OfType<T>().Any(match), what);

    /// <summary>
    /// The audit trail so far: the <c>audit</c>-tagged events (every <see cref="IAuditEvent"/>) of the orchestrator,
    /// then those of the alerts outbox, each in journal order, read back from the journal.
    /// </summary>
    protected IReadOnlyList<IAuditEvent> AuditTrail()
    {
        _alertsPersistenceId ??= AgentSettings().Alerts.PersistenceId;
        return Journal(global::Autopilot.Agents.Orchestrator.Orchestrator.DefaultPersistenceId)
            .Concat(Journal(_alertsPersistenceId))
            .OfType<IAuditEvent>()
            .ToArray();
    }

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
