using System.Globalization;
using System.Security.Cryptography;
using Autopilot.Platforms.Railway;
using Autopilot.Simulator.GitHub;
using Autopilot.Simulator.N8n;
using Autopilot.Simulator.Railway;
using Autopilot.Simulator.Telegram;

namespace Autopilot.Daemon.Simulation;

/// <summary>
/// The built-in fakes of <c>--simulate</c>: Railway, GitHub, n8n and Telegram on loopback, seeded with a demo project
/// (<see cref="DemoService"/> in <see cref="DemoRepository"/>) whose next commit passes CI and then fails to build, so a newcomer
/// watches the whole loop (failure, rollback, issue, alert) without any account. <see cref="Overrides"/> points the
/// daemon's platform settings at the fakes with throwaway credentials, and makes the demo service's app
/// (<see cref="App"/>) a health target, so the dashboard's cards show probes and uptime.
/// </summary>
public sealed class SimulatedPlatforms : IAsyncDisposable
{
    /// <summary>The demo service's name on Railway and in the orchestrator.</summary>
    public const string DemoService = "demo-api";

    /// <summary>The demo repository (owner/name) on the GitHub fake.</summary>
    public const string DemoRepository = "autopilot-demo/demo-api";

    /// <summary>Id of the demo repository's CI workflow on the GitHub fake.</summary>
    public const long CiWorkflowId = 1001;

    /// <summary>The Telegram chat alerts go to.</summary>
    public const long DemoChatId = 424242;

    private SimulatedPlatforms(RailwayFake railway, RailwayAppFake app, GitHubFake gitHub, N8nFake n8n, TelegramFake telegram, RailwayFakeService service, string n8nWorkflowId,
        string sessionToken, string webhookSecret, string overrides)
    {
        App = app;
        SessionToken = sessionToken;
        WebhookSecret = webhookSecret;
        Railway = railway;
        GitHub = gitHub;
        N8n = n8n;
        Telegram = telegram;
        Service = service;
        N8nWorkflowId = n8nWorkflowId;
        Overrides = overrides;
    }

    /// <summary>The Railway fake.</summary>
    public RailwayFake Railway { get; }

    /// <summary>The demo service's app on the Railway fake (its health endpoint, a health target of the simulation).</summary>
    public RailwayAppFake App { get; }

    /// <summary>The GitHub fake.</summary>
    public GitHubFake GitHub { get; }

    /// <summary>The n8n fake.</summary>
    public N8nFake N8n { get; }

    /// <summary>The Telegram fake.</summary>
    public TelegramFake Telegram { get; }

    /// <summary>Ids of the demo service on the Railway fake.</summary>
    public RailwayFakeService Service { get; }

    /// <summary>The demo n8n workflow.</summary>
    public string N8nWorkflowId { get; }

    /// <summary>
    /// An admin token created for this simulation (<c>autopilot.api.tokens.simulator</c>), printed at start so the
    /// newcomer's second command (the CLI) works without any setup.
    /// </summary>
    public string SessionToken { get; }

    /// <summary>
    /// The webhook secret of all three sources in this simulation (random, throwaway), printed at start with a curl
    /// example so a newcomer can post a webhook by hand.
    /// </summary>
    public string WebhookSecret { get; }

    /// <summary>Configuration pointing every platform at its fake (wins over the user's file).</summary>
    public string Overrides { get; }

    /// <summary>Starts and seeds the fakes.</summary>
    /// <param name="time">Clock of the fakes (deployments walk their statuses on it).</param>
    /// <param name="railwayOptions">How fast Railway deployments progress; ten seconds per status by default.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<SimulatedPlatforms> StartAsync(TimeProvider time, RailwayFakeOptions? railwayOptions = null, CancellationToken cancellationToken = default)
    {
        var railwayToken = RandomSecret();
        var gitHubToken = RandomSecret();
        var n8nKey = RandomSecret();
        var botToken = $"{RandomNumberGenerator.GetInt32(100000, 999999)}:{RandomSecret()}";
        var webhookSecret = RandomSecret();
        var sessionToken = RandomSecret();

        var railway = new RailwayFake(time, railwayOptions);
        var gitHub = new GitHubFake(time);
        var n8n = new N8nFake(time, n8nKey);
        var telegram = new TelegramFake(time);
        await railway.StartAsync(cancellationToken).ConfigureAwait(false);
        await gitHub.StartAsync(cancellationToken).ConfigureAwait(false);
        await n8n.StartAsync(cancellationToken).ConfigureAwait(false);
        await telegram.StartAsync(cancellationToken).ConfigureAwait(false);

        railway.AddAccountToken(railwayToken);
        var service = railway.AddServiceWithProject(DemoService);
        var app = new RailwayAppFake(time, railway, service.ServiceId);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var owner = DemoRepository.Split('/')[0];
        var repo = DemoRepository.Split('/')[1];
        gitHub.AddPersonalToken(gitHubToken);
        gitHub.AddRepository(owner, repo);
        var good = gitHub.PushCommit(owner, repo, "main", "Initial demo service");
        // What the readiness gate asks of a deployable commit besides green checks: a README and a rollback plan.
        gitHub.AddFile(owner, repo, "README.md", "# demo service\n");
        gitHub.AddTag(owner, repo, "v1.0.0", good);
        railway.SeedDeployment(service.ServiceId, service.EnvironmentId, good, DeploymentStatus.Success, time.GetUtcNow().AddHours(-1));
        // The new commit passes CI, so the autopilot deploys it; its build then fails, which the policy answers with a
        // rollback to the last good deployment, an incident issue and a critical alert.
        var broken = gitHub.PushCommit(owner, repo, "main", "Read settings from ./config");
        gitHub.AddWorkflow(owner, repo, CiWorkflowId, "ci.yml", "CI");
        gitHub.AddWorkflowRun(owner, repo, CiWorkflowId, broken, "completed", "success");
        railway.ScriptNextDeployment(service.ServiceId, DeploymentScript.FailBuild(
            "npm ERR! code ELIFECYCLE", "Error: Cannot find module './config'", "Build failed with exit code 1"));
        var workflowId = n8n.AddWorkflow("demo-order-sync", active: true);
        n8n.AddExecution(workflowId, "error");
        telegram.AddBot(botToken);

        var overrides = string.Create(CultureInfo.InvariantCulture, $$"""
            autopilot.platforms {
              railway { endpoint = "{{railway.Endpoint}}", api-token = "{{railwayToken}}", webhook-secret = "{{webhookSecret}}" }
              github { api-url = "{{gitHub.BaseAddress}}", token = "{{gitHubToken}}", webhook-secret = "{{webhookSecret}}" }
              n8n { base-url = "{{n8n.BaseAddress}}", api-key = "{{n8nKey}}", webhook-secret = "{{webhookSecret}}" }
              telegram { api-url = "{{telegram.BaseAddress}}", bot-token = "{{botToken}}", chat-id = "{{DemoChatId}}" }
            }
            autopilot.api.tokens.simulator { role = admin, token = "{{sessionToken}}" }
            autopilot.agents {
              railway.services."{{DemoService}}" {
                service-id = "{{service.ServiceId}}"
                environment-id = "{{service.EnvironmentId}}"
                repository = "{{DemoRepository}}"
                branch = "main"
              }
              github.incident-repository = "{{DemoRepository}}"
              health.targets."{{DemoService}}" { url = "{{app.HealthUrl}}", service = "{{DemoService}}" }
            }
            """);
        return new SimulatedPlatforms(railway, app, gitHub, n8n, telegram, service, workflowId, sessionToken, webhookSecret, overrides);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync().ConfigureAwait(false);
        await Railway.DisposeAsync().ConfigureAwait(false);
        await GitHub.DisposeAsync().ConfigureAwait(false);
        await N8n.DisposeAsync().ConfigureAwait(false);
        await Telegram.DisposeAsync().ConfigureAwait(false);
    }

    private static string RandomSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
}
