using Akka.Actor;
using Akka.Configuration;
using Akka.Pattern;
using Autopilot.Agents.Configuration;
using Autopilot.Agents.Serialization;
using Autopilot.Agents.Time;
using Autopilot.Agents.Alerts;
using Autopilot.Agents.Fallback;
using Autopilot.Agents.Fencing;
using Autopilot.Agents.GitHub;
using Autopilot.Agents.Health;
using Autopilot.Agents.Migrations;
using Autopilot.Agents.N8n;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Railway;
using Autopilot.Agents.Readiness;
using Autopilot.Platforms.GitHub;
using Autopilot.Platforms.N8n;
using Autopilot.Platforms.PostgreSql;
using Autopilot.Platforms.Railway;
using Autopilot.Platforms.Redaction;
using Autopilot.Platforms.Telegram;

namespace Autopilot.Agents.Orchestrator;

/// <summary>
/// The platform clients the agents act through (built and owned by the host, e.g. the daemon's DI container).
/// Optional clients switch their features off when absent: no Telegram client → no Telegram alerts, no n8n client →
/// no n8n worker, no HTTP client → no health probes and no fallback tiers.
/// </summary>
/// <param name="Railway">Railway.</param>
/// <param name="GitHub">GitHub (also the channel of CRITICAL alert issues).</param>
/// <param name="GitHubTokens">The token source the GitHub client uses, refreshed ahead of need by the GitHub worker; null for none.</param>
/// <param name="Telegram">Telegram bot, for alerts sent directly.</param>
/// <param name="N8n">n8n: the n8n worker, and alerts routed through an n8n webhook.</param>
/// <param name="Http">Plain HTTP client of the health probes and the fallback tiers.</param>
/// <param name="Redactor">The host's redactor (secrets registered), for what the agents record.</param>
/// <param name="Time">
/// The clock of the fallback tiers; the actor system's clock drives everything else. When null, <see cref="AutopilotTree.Start(ActorSystem, Config, AutopilotClients)"/>
/// uses the system's scheduler clock (<see cref="SchedulerTimeProvider"/>) and <see cref="AutopilotTree.Props(AgentsSettings, AutopilotClients)"/> the machine's clock.
/// </param>
/// <param name="Fence">
/// The node's hold on the orchestrator's lease, when the orchestrator runs as a cluster singleton: the orchestrator and
/// every worker that changes something on a platform ask it right before each such call and make no call when it is
/// not held, so a frozen former leader that wakes up after another node took over cannot act; the orchestrator records
/// its token with each action request and a <see cref="SingletonStarted"/> when it starts. Null: a single node,
/// nothing to fence (<see cref="ActionFence.Unfenced"/>).
/// </param>
/// <param name="MigrationDatabases">
/// How a migration target's database is reached; null for the real PostgreSQL (<see cref="PostgreSqlMigrationDatabase"/>
/// with the located client programs). Tests put a database of their own here.
/// </param>
public sealed record AutopilotClients(
    IRailwayClient Railway,
    IGitHubClient GitHub,
    IGitHubTokenSource? GitHubTokens = null,
    TelegramBotClient? Telegram = null,
    N8nClient? N8n = null,
    HttpClient? Http = null,
    Redactor? Redactor = null,
    TimeProvider? Time = null,
    IActionFence? Fence = null,
    Func<MigrationTarget, IMigrationDatabase>? MigrationDatabases = null);

/// <summary>
/// Builds the whole agent tree: <c>/user/orchestrator</c> with its workers as children — railway, github, alerts,
/// n8n (with the fallback router as its child <c>fallback</c>), health and readiness (the production-readiness gate). The host supplies configuration and clients:
/// layer <see cref="AgentsPersistence.Hocon(string, System.Reflection.Assembly[])"/> into the actor system's config (serializer
/// bindings and the audit tagger on the journal), then <c>AutopilotTree.Start(system, config, clients)</c>.
/// </summary>
public static class AutopilotTree
{
    /// <summary>The orchestrator's actor name under <c>/user</c>.</summary>
    public const string OrchestratorName = "orchestrator";

    /// <summary>Props of the orchestrator and its workers from <paramref name="config"/>, a whole application config (the embedded defaults are the fallback).</summary>
    /// <exception cref="SettingException">A missing or malformed key under <c>autopilot.agents</c>.</exception>
    public static Props Props(Config config, AutopilotClients clients) => Props(AgentsSettings.FromConfig(config), clients);

    /// <summary>Props of the orchestrator and its workers from already-read settings.</summary>
    public static Props Props(AgentsSettings settings, AutopilotClients clients)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clients);
        var redactor = clients.Redactor ?? new Redactor();
        var fence = clients.Fence ?? ActionFence.Unfenced;
        var fallback = settings.Fallback.Tiers.Count > 0 && clients.Http is { } http
            ? FallbackRouter.Props(settings.Fallback, new FallbackTierRunner(http, redactor, clients.Time ?? TimeProvider.System), fence: fence)
            : null;
        var workers = new OrchestratorWorkers(
            RailwayWorker.Props(clients.Railway, settings.Railway, redactor, fence),
            GitHubWorker.Props(clients.GitHub, clients.GitHubTokens, settings.GitHub, fence),
            Alerts: AlertWorker.Props(settings.Alerts, AlertChannels(settings, clients), fence, ApprovalChannel(settings, clients)),
            N8n: clients.N8n is { } n8n ? N8nWorker.Props(n8n, settings.N8n, redactor, fallback, fence) : null,
            Health: settings.Health.Targets.Count > 0 && clients.Http is { } probes
                ? HealthProbe.Props(settings.Health, probes, clients.Railway, redactor, fence: fence)
                : null,
            Readiness: ReadinessGate.Props(clients.GitHub, settings.Readiness, settings.Confidence, redactor),
            Migrations: MigrationWorkers(settings, clients, redactor, fence));
        return Orchestrator.Props(settings.Orchestrator, settings.Railway, settings.Policy, workers, fence, settings.Confidence, settings.Readiness);
    }

    /// <summary>
    /// Starts the tree in <paramref name="system"/> (persistence must already be started) under a backoff supervisor and
    /// returns the supervisor, which forwards every message to the orchestrator. A journal that cannot write stops the
    /// orchestrator (its state would no longer match the record); the supervisor starts it again from the journal after
    /// a growing pause, so a database outage costs the autopilot a restart, not its life.
    /// </summary>
    /// <returns><c>/user/orchestrator</c>, with the orchestrator itself as its child <c>orchestrator</c>.</returns>
    public static IActorRef Start(ActorSystem system, Config config, AutopilotClients clients)
    {
        ArgumentNullException.ThrowIfNull(system);
        return Start(system, AgentsSettings.FromConfig(config), clients);
    }

    /// <summary>Like <see cref="Start(ActorSystem, Config, AutopilotClients)"/>, from already-read settings.</summary>
    public static IActorRef Start(ActorSystem system, AgentsSettings settings, AutopilotClients clients)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(clients);
        clients = clients with { Time = clients.Time ?? SchedulerTimeProvider.For(system) };
        return system.ActorOf(SupervisedProps(Props(settings, clients)), OrchestratorName);
    }

    /// <summary>
    /// <paramref name="orchestrator"/> under Akka's backoff supervisor (<c>Backoff.OnStop</c>): a persistent actor whose
    /// journal write or recovery fails is stopped by Akka, and started again from its journal after the backoff.
    /// </summary>
    public static Props SupervisedProps(Props orchestrator) => SupervisedProps(orchestrator, OrchestratorName);

    /// <summary>A persistent actor of the tree (<paramref name="child"/>, named <paramref name="childName"/>) under the same backoff as the orchestrator.</summary>
    public static Props SupervisedProps(Props child, string childName)
    {
        ArgumentNullException.ThrowIfNull(child);
        return BackoffSupervisor.Props(Backoff.OnStop(child, childName, RestartBackoffMin, RestartBackoffMax, RestartBackoffRandomFactor, -1));
    }

    /// <summary>First pause before the orchestrator is started again after a failure.</summary>
    public static readonly TimeSpan RestartBackoffMin = TimeSpan.FromSeconds(1);

    /// <summary>Longest pause between restarts of a failing orchestrator.</summary>
    public static readonly TimeSpan RestartBackoffMax = TimeSpan.FromSeconds(30);

    private const double RestartBackoffRandomFactor = 0.2;

    /// <summary>One <see cref="MigrationsWorker"/> per configured target database.</summary>
    public static IReadOnlyList<MigrationWorkerProps> MigrationWorkers(AgentsSettings settings, AutopilotClients clients, Redactor redactor, IActionFence fence)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clients);
        if (settings.Migrations is not { Targets.Count: > 0 } migrations)
        {
            return [];
        }

        var database = clients.MigrationDatabases
                       ?? (target => new PostgreSqlMigrationDatabase(target.ConnectionString, migrations.ClientPrograms!));
        return migrations.Targets
            .Select(target => new MigrationWorkerProps(target, MigrationsWorker.Props(target, database(target), clients.GitHub, redactor, fence)))
            .ToArray();
    }

    /// <summary>
    /// Where approvals are sent: the alerts chat through the bot, when both are configured (approval buttons need the
    /// Bot API itself, so a Telegram route through n8n has none); null otherwise.
    /// </summary>
    public static IApprovalChannel? ApprovalChannel(AgentsSettings settings, AutopilotClients clients)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clients);
        return clients.Telegram is { } telegram && settings.Alerts.TelegramChat.Length > 0
            ? new TelegramApprovalChannel(telegram, TelegramChatId.Parse(settings.Alerts.TelegramChat))
            : null;
    }

    /// <summary>The alert channels the settings ask for and the clients allow.</summary>
    public static IReadOnlyList<IAlertChannel> AlertChannels(AgentsSettings settings, AutopilotClients clients)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clients);
        var alerts = settings.Alerts;
        var channels = new List<IAlertChannel>();
        if (alerts.TelegramRoute == TelegramRoute.Direct && clients.Telegram is { } telegram && alerts.TelegramChat.Length > 0)
        {
            channels.Add(new TelegramAlertChannel(telegram, TelegramChatId.Parse(alerts.TelegramChat)));
        }
        else if (alerts.TelegramRoute == TelegramRoute.N8n && clients.N8n is { } n8n)
        {
            channels.Add(new N8nWebhookAlertChannel(n8n, alerts.N8nWebhookPath));
        }

        if ((alerts.IssueRepository ?? settings.GitHub.IncidentRepository) is { } repository)
        {
            channels.Add(new GitHubIssueAlertChannel(clients.GitHub, repository, alerts.IssueLabels));
        }

        return channels;
    }
}
