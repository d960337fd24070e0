using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Autopilot.Actors;
using Autopilot.Actors.Configuration;
using Autopilot.Daemon.Hosting;
using Autopilot.Daemon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Autopilot.Daemon.Tests.Fixtures;

/// <summary>
/// A daemon with the in-memory journal, known tokens and webhook secrets, and a <see cref="FakeOrchestrator"/>, hosted
/// either on the ASP.NET test server or on a real Kestrel listener on loopback.
/// </summary>
public sealed class TestDaemon : IAsyncDisposable
{
    public const string AdminToken = "admin-token-0123456789abcdef";
    public const string OperatorToken = "operator-token-0123456789abcdef";
    public const string ViewerToken = "viewer-token-0123456789abcdef";
    public const string GitHubSecret = "github-webhook-secret-value";
    public const string RailwaySecret = "railway-webhook-secret-value";
    public const string N8nSecret = "n8n-webhook-secret-value";
    public const string RailwayApiToken = "railway-api-token-value-1234";

    private readonly string _dataDir;
    private readonly bool _ownsDataDir;

    private TestDaemon(WebApplication app, ConcurrentQueue<object> received, string dataDir, bool ownsDataDir, StringWriter log)
    {
        _ownsDataDir = ownsDataDir;
        App = app;
        Received = received;
        _dataDir = dataDir;
        Log = log;
    }

    public WebApplication App { get; }

    public ConcurrentQueue<object> Received { get; }

    public StringWriter Log { get; }

    public DaemonRuntime Runtime => App.Services.GetRequiredService<DaemonRuntime>();

    public HttpClient Client { get; private set; } = null!;

    public Uri? Address { get; private set; }

    public static string Hocon(string dataDir, string extra = "") => $$"""
        autopilot.daemon.data-dir = "{{dataDir.Replace("\\", "/")}}"
        autopilot.daemon.shutdown-timeout = 10s
        autopilot.http.port = 0
        autopilot.http.max-webhook-body = 4 KiB
        autopilot.persistence.journal.plugin = inmem
        autopilot.persistence.query-poll-interval = 100ms
        autopilot.api.tokens {
          admin { role = admin, token = "{{AdminToken}}" }
          operator { role = operator, token = "{{OperatorToken}}" }
          viewer { role = viewer, token = "{{ViewerToken}}" }
        }
        autopilot.platforms {
          github.webhook-secret = "{{GitHubSecret}}"
          railway { api-token = "{{RailwayApiToken}}", webhook-secret = "{{RailwaySecret}}" }
          n8n.webhook-secret = "{{N8nSecret}}"
        }
        {{extra}}
        """;

    /// <summary>Starts a daemon and waits until it is ready.</summary>
    /// <param name="kestrel">Real Kestrel on 127.0.0.1 with a free port (true) or the in-memory test server.</param>
    /// <param name="extraHocon">More configuration (wins over the defaults above).</param>
    /// <param name="dataDir">A data directory to reuse (kept on dispose), or null for a fresh one (deleted on dispose).</param>
    public static async Task<TestDaemon> StartAsync(bool kestrel = false, string extraHocon = "", string? dataDir = null)
    {
        var ownsDataDir = dataDir is null;
        dataDir ??= Path.Combine(Path.GetTempPath(), "autopilot-daemon-tests", Guid.NewGuid().ToString("N"));
        var received = new ConcurrentQueue<object>();
        var log = new StringWriter();
        var app = DaemonHost.Build(new DaemonHostOptions
        {
            Overrides = ConfigurationFactory.ParseString(Hocon(dataDir, extraHocon), "<test>"),
            EnvironmentVariables = _ => null,
            OrchestratorFactory = (system, context) =>
                system.ActorOf(Props.Create(() => new FakeOrchestrator(received, context.Time)), "orchestrator"),
            LogOutput = TextWriter.Synchronized(log),
            JsonLogs = true,
            ConfigureWebHost = kestrel ? null : web => web.UseTestServer(),
        });
        var daemon = new TestDaemon(app, received, dataDir, ownsDataDir, log);
        await app.StartAsync();
        // As app.RunAsync() does in autopilotd: a requested stop (cluster leave, a downed node) stops the host.
        app.Lifetime.ApplicationStopping.Register(() => _ = Task.Run(() => app.StopAsync()));
        if (kestrel)
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            daemon.Address = new Uri(address);
            daemon.Client = new HttpClient { BaseAddress = daemon.Address };
        }
        else
        {
            daemon.Client = app.GetTestClient();
        }

        await daemon.Runtime.Started.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Null(daemon.Runtime.StartupFailure);
        return daemon;
    }

    public HttpRequestMessage Request(HttpMethod method, string path, string? token)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token) => Client.SendAsync(Request(method, path, token));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        if (!_ownsDataDir)
        {
            return;
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was written.
        }
    }
}
