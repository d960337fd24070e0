using Autopilot.Platforms.Redaction;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Autopilot.Platforms.GitHub;

/// <summary>Registers <see cref="IGitHubClient"/> with the DI container.</summary>
public static class GitHubServiceCollectionExtensions
{
    /// <summary>Name of the HttpClient used for API calls and token exchange.</summary>
    public const string HttpClientName = "GitHub";

    /// <summary>
    /// Adds <see cref="IGitHubClient"/> authenticated as a GitHub App installation. The token source is a
    /// singleton so the installation token cache is shared by every client instance.
    /// </summary>
    public static IHttpClientBuilder AddGitHubAppClient(
        this IServiceCollection services, Func<IServiceProvider, GitHubClientOptions> options, Func<IServiceProvider, GitHubAppCredentials> credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        services.TryAddSingleton<IGitHubTokenSource>(provider => new GitHubAppTokenSource(
            provider.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            credentials(provider),
            options(provider),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<Redactor>(),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger<GitHubAppTokenSource>()));
        return AddClient(services, options);
    }

    /// <summary>Adds <see cref="IGitHubClient"/> authenticated with a personal access token.</summary>
    public static IHttpClientBuilder AddGitHubTokenClient(
        this IServiceCollection services, Func<IServiceProvider, GitHubClientOptions> options, Func<IServiceProvider, string> personalAccessToken)
    {
        ArgumentNullException.ThrowIfNull(personalAccessToken);
        services.TryAddSingleton<IGitHubTokenSource>(provider =>
        {
            var token = personalAccessToken(provider);
            provider.GetRequiredService<Redactor>().Register(token);
            return new PersonalAccessTokenSource(token);
        });
        return AddClient(services, options);
    }

    private static IHttpClientBuilder AddClient(IServiceCollection services, Func<IServiceProvider, GitHubClientOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<Redactor>();
        services.AddHttpClient(HttpClientName).ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan);
        return services
            .AddHttpClient<IGitHubClient, GitHubClient>(HttpClientName, (http, provider) => new GitHubClient(
                http,
                options(provider),
                provider.GetRequiredService<IGitHubTokenSource>(),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<Redactor>(),
                provider.GetRequiredService<ILoggerFactory>().CreateLogger<GitHubClient>()))
            // The resilience pipeline owns per-attempt timeouts; HttpClient's own 100 s limit would cut across it.
            .ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan);
    }
}
