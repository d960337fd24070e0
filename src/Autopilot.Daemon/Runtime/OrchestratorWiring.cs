using Autopilot.Actors;
using Autopilot.Agents.Orchestrator;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Metrics;
using Autopilot.Platforms.GitHub;
using Autopilot.Platforms.Railway;
using Microsoft.Extensions.Logging;

namespace Autopilot.Daemon.Runtime;

/// <summary>
/// Builds the real agent tree for <c>autopilotd</c>: platform clients from the validated settings (an
/// <see cref="UnconfiguredPlatform"/> for a platform without credentials), then <see cref="AutopilotTree.Start"/>.
/// </summary>
public static class OrchestratorWiring
{
    /// <summary>The <see cref="OrchestratorFactory"/> of <c>autopilotd</c>.</summary>
    public static IActorRef Create(ActorSystem system, OrchestratorContext context)
    {
        var platforms = context.Settings.Platforms;
        var clients = new AutopilotClients(Railway(platforms.Railway, context), GitHub(platforms.GitHub, context, out var tokens), tokens);
        return AutopilotTree.Start(system, context.Config, clients);
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

    // The clients' resilience pipelines own per-attempt timeouts; connections are recycled so DNS changes are seen.
    private static HttpClient PlatformHttp(string platform, OrchestratorContext context) =>
        new(new MeasuredPlatformHandler(platform, context.Metrics, new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }))
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

    private static Uri WithTrailingSlash(Uri uri) => uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
}
