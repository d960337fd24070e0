using Autopilot.Actors.Configuration;
using Autopilot.Agents.Orchestrator;
using Autopilot.Daemon.Configuration;
using Autopilot.Daemon.Http;
using Autopilot.Daemon.Http.Auth;
using Autopilot.Daemon.Http.Webhooks;
using Autopilot.Daemon.Logging;
using Autopilot.Daemon.Metrics;
using Autopilot.Daemon.Runtime;
using Autopilot.Platforms.Redaction;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using System.Threading.RateLimiting;

namespace Autopilot.Daemon.Hosting;

/// <summary>
/// Builds the daemon: configuration (defaults, file, environment) validated up front, Serilog with redaction, the
/// <see cref="DaemonRuntime"/> as a hosted service, and the HTTP edge on Kestrel.
/// </summary>
public static class DaemonHost
{
    /// <summary>Name of the admin API's rate-limit policy (per bearer token).</summary>
    public const string AdminRateLimitPolicy = "admin-per-token";

    /// <summary>Builds a host that is ready to run.</summary>
    /// <exception cref="ConfigurationException">The configuration is invalid; the message names the key.</exception>
    public static WebApplication Build(DaemonHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var parse = new ConfigurationParseOptions { EnvironmentVariables = options.EnvironmentVariables };
        var config = DaemonConfiguration.Load(options.ConfigFile, options.Overrides, parse);
        var settings = DaemonSettings.FromConfig(config, options.WorkingDirectory);
        // The agents' section is validated here too, so a typo in the policy table fails the start (exit 2), not the tree.
        AgentsSettings.FromConfig(config);

        var redactor = new Redactor();
        foreach (var secret in settings.Platforms.SecretValues.Concat(settings.ApiTokens.Select(t => t.Token)))
        {
            redactor.Register(secret);
        }

        redactor.Register(settings.Journal.ConnectionString is { } cs && settings.Journal.Plugin == "postgresql" ? cs : null);
        redactor.Register(settings.Cluster?.Node.ConnectionString);
        var serilog = DaemonLogging.Create(redactor, options.JsonLogs, options.LogOutput);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = options.WorkingDirectory ?? Directory.GetCurrentDirectory(),
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(serilog, dispose: true);
        builder.WebHost.UseUrls($"http://{settings.Http.Host}:{settings.Http.Port}");
        options.ConfigureWebHost?.Invoke(builder.WebHost);

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.ShutdownTimeout + TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(redactor);
        builder.Services.AddSingleton(options.Time);
        builder.Services.AddSingleton(options.OrchestratorFactory);
        builder.Services.AddSingleton<AutopilotMetrics>();
        builder.Services.AddSingleton<PrometheusExposition>();
        builder.Services.AddSingleton(new ApiTokenAuthenticator(settings.ApiTokens));
        builder.Services.AddSingleton<DaemonRuntime>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DaemonRuntime>());
        builder.Services.AddHostedService<AuditMetricsProjection>();
        builder.Services.AddSingleton<OrchestratorClient>();
        builder.Services.AddSingleton<WebhookIntakeGateway>();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
        });
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(AdminRateLimitPolicy, http => RateLimitPartition.GetFixedWindowLimiter(
                PartitionKey(http),
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = settings.Http.RateLimitPermits,
                    Window = settings.Http.RateLimitWindow,
                    QueueLimit = 0,
                }));
        });

        var app = builder.Build();
        app.Services.GetRequiredService<PrometheusExposition>();
        app.UseRateLimiter();
        app.MapHealthEndpoints();
        app.MapMetricsEndpoints();
        app.MapWebhookEndpoints();
        var api = app.MapGroup("/api").RequireRateLimiting(AdminRateLimitPolicy);
        api.MapAdminReadEndpoints();
        api.MapAdminCommandEndpoints();
        api.MapAuditStreamEndpoints();
        api.MapClusterEndpoints();
        return app;
    }

    /// <summary>
    /// The rate-limit partition: a hash of the bearer token (so each token has its own budget and the token itself
    /// is never kept), or the remote address for requests without one.
    /// </summary>
    private static string PartitionKey(HttpContext http)
    {
        var token = ApiTokenAuthenticator.BearerToken(http.Request.Headers.Authorization);
        return token is null
            ? "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown")
            : "token:" + Convert.ToHexString(ApiTokenAuthenticator.Hash(token));
    }
}
