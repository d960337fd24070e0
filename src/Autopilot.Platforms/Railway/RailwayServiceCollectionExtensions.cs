using Autopilot.Platforms.Redaction;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Autopilot.Platforms.Railway;

/// <summary>Registers <see cref="IRailwayClient"/> with the DI container.</summary>
public static class RailwayServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IRailwayClient"/> as a typed HttpClient from <see cref="IHttpClientFactory"/>. The options
    /// factory runs when the client is created, so the token can come from a secret store registered earlier.
    /// <see cref="TimeProvider"/> and <see cref="Redactor"/> default to the system clock and a shared instance.
    /// </summary>
    public static IHttpClientBuilder AddRailwayClient(this IServiceCollection services, Func<IServiceProvider, RailwayClientOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<Redactor>();
        return services
            .AddHttpClient<IRailwayClient, RailwayClient>((http, provider) => new RailwayClient(
                http,
                options(provider),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<Redactor>(),
                provider.GetRequiredService<ILoggerFactory>().CreateLogger<RailwayClient>()))
            // The resilience pipeline owns per-attempt timeouts; HttpClient's own 100 s limit would cut across it.
            .ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan);
    }
}
