using Akka.Actor;
using Autopilot.Agents.Orchestrator;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Metrics;
using Autopilot.Platforms.GitHub;
using Autopilot.Platforms.N8n;
using Autopilot.Platforms.Railway;
using Autopilot.Platforms.Telegram;
using Microsoft.Extensions.Logging;

namespace Autopilot.Daemon.Runtime;

/// <summary>
/// Builds the real agent tree for <c>autopilotd</c>: platform clients from the validated settings, then
/// <see cref="AutopilotTree.Props(Akka.Configuration.Config, AutopilotClients)"/> under its backoff supervisor. Railway and GitHub are required by the tree, so without credentials they are an
/// <see cref="UnconfiguredPlatform"/>; Telegram and n8n are optional and simply absent (no Telegram alerts, no n8n worker).
/// </summary>
public static class OrchestratorWiring
{
    /// <summary>The <see cref="OrchestratorFactory"/> of <c>autopilotd</c>.</summary>
    public static Props Create(ActorSystem system, OrchestratorContext context)
    {
        var platforms = context.Settings.Platforms;
        var clients = new AutopilotClients(
            Railway(platforms.Railway, context),
            GitHub(platforms.GitHub, context, out var tokens),
            tokens,
            Telegram(platforms.Telegram, context),
            N8n(platforms.N8n, context),
            context.Own(PlatformHttp("probe", context)),
            context.Redactor,
            context.Time,
            context.Fence);
        // Who may decide approvals in Telegram is set beside the bot's credentials (autopilot.platforms.telegram.approvers).
        var agents = AgentsSettings.FromConfig(context.Config);
        agents = agents with
        {
            Orchestrator = agents.Orchestrator with { Approvals = agents.Orchestrator.ApprovalsOrDefault with { TelegramApprovers = platforms.Telegram.Approvers } },
        };
        return AutopilotTree.SupervisedProps(AutopilotTree.Props(agents, clients));
    }

    private static IRailwayClient Railway(RailwaySettings railway, OrchestratorContext context)
    {
        if (railway.ApiToken is null)
        {
            return UnconfiguredPlatform.Create<IRailwayClient>("railway", railway.Status.Detail);
        }

        var options = new RailwayClientOptions(railway.ApiToken, railway.TokenKind) { Endpoint = railway.Endpoint };
        return new RailwayClient(context.Own(PlatformHttp("railway", context)), options, context.Time, context.Redactor, context.LoggerFactory.CreateLogger<RailwayClient>());
    }

    private static IGitHubClient GitHub(GitHubSettings github, OrchestratorContext context, out IGitHubTokenSource? tokens)
    {
        var options = new GitHubClientOptions { BaseAddress = WithTrailingSlash(github.ApiUrl) };
        if (github.UsesApp)
        {
            var pem = File.ReadAllText(github.PrivateKeyPath!);
            tokens = context.Own(new GitHubAppTokenSource(context.Own(PlatformHttp("github", context)), new GitHubAppCredentials(github.AppId!, github.InstallationId!.Value, pem),
                options, context.Time, context.Redactor, context.LoggerFactory.CreateLogger<GitHubAppTokenSource>()));
        }
        else if (github.Token is not null)
        {
            context.Redactor.Register(github.Token);
            tokens = new PersonalAccessTokenSource(github.Token);
        }
        else
        {
            tokens = null;
            return UnconfiguredPlatform.Create<IGitHubClient>("github", github.Status.Detail);
        }

        return new GitHubClient(context.Own(PlatformHttp("github", context)), options, tokens, context.Time, context.Redactor, context.LoggerFactory.CreateLogger<GitHubClient>());
    }

    private static TelegramBotClient? Telegram(TelegramSettings telegram, OrchestratorContext context) =>
        telegram.BotToken is null
            ? null
            : new TelegramBotClient(context.Own(PlatformHttp("telegram", context)), new TelegramBotOptions(telegram.BotToken, telegram.ApiUrl),
                context.Redactor, context.Time, context.LoggerFactory.CreateLogger<TelegramBotClient>());

    private static N8nClient? N8n(N8nSettings n8n, OrchestratorContext context) =>
        n8n.BaseUrl is null || n8n.ApiKey is null
            ? null
            : new N8nClient(context.Own(PlatformHttp("n8n", context)), new N8nClientOptions(n8n.BaseUrl, n8n.ApiKey),
                context.Redactor, context.Time, context.LoggerFactory.CreateLogger<N8nClient>());

    // The clients' resilience pipelines own per-attempt timeouts; connections are recycled so DNS changes are seen.
    private static HttpClient PlatformHttp(string platform, OrchestratorContext context)
    {
        var handler = new MeasuredPlatformHandler(platform, context.Metrics, new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private static Uri WithTrailingSlash(Uri uri) => uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
}
