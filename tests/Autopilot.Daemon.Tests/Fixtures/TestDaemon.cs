using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Akka.Actor;
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
/// A daemon built by <see cref="DaemonHost"/> (Generic Host + Akka.Hosting) with the in-memory journal, known tokens and
/// webhook secrets, and a <see cref="FakeOrchestrator"/>, hosted either on the ASP.NET test server or on a real Kestrel
/// listener on loopback.
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
    private int _disposed;

    private TestDaemon(WebApplication app, ConcurrentQueue<object> received, string dataDir, bool ownsDataDir, StringWriter log)
    {
        _ownsDataDir = ownsDataDir;
        App = app;
        Received = received;
        _dataDir = dataDir;
        Log = log;
        Runtime = app.Services.GetRequiredService<DaemonRuntime>();
    }

    public WebApplication App { get; }

    /// <summary>Every message the <see cref="FakeOrchestrator"/> got (empty with another orchestrator).</summary>
    public ConcurrentQueue<object> Received { get; }

    public StringWriter Log { get; }

    /// <summary>The daemon's runtime (resolved once: it outlives the host's disposal for assertions).</summary>
    public DaemonRuntime Runtime { get; }

    /// <summary>The running actor system.</summary>
    public ActorSystem System => Runtime.System ?? throw new InvalidOperationException("The actor system has not started.");

    public HttpClient Client { get; private set; } = null!;

    public Uri? Address { get; private set; }

    public static string Hocon(string dataDir, string extra = "") => $$"""
        autopilot.daemon.data-dir = "{{dataDir.Replace("\\", "/")}}"
        autopilot.daemon.shutdown-timeout = 10s
        autopilot.http.port = 0
        autopilot.http.max-webhook-body = 4 KiB
        autopilot.persistence.journal.plugin = inmem
        # Off unless a test is about it: the machine's own disk and memory must not alert into other tests' orchestrators.
        autopilot.self-watch.enabled = off
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

    /// <summary>The orchestrator factory of the tests: a <see cref="FakeOrchestrator"/> (the host puts it at /user/orchestrator).</summary>
    public static OrchestratorFactory Fake(ConcurrentQueue<object> received) =>
        (_, _) => Props.Create(() => new FakeOrchestrator(received));

    /// <summary>Starts a daemon and waits until it is ready.</summary>
    /// <param name="kestrel">Real Kestrel on 127.0.0.1 with a free port (true) or the in-memory test server.</param>
    /// <param name="extraHocon">More configuration (wins over the defaults above: HOCON's last value wins).</param>
    /// <param name="dataDir">A data directory to reuse (kept on dispose), or null for a fresh one (deleted on dispose).</param>
    /// <param name="orchestratorFactory">The orchestrator to run, or null for a <see cref="FakeOrchestrator"/> recording what it gets.</param>
    /// <param name="time">The HTTP edge's clock (e.g. a FakeTimeProvider), or null for the system clock.</param>
    public static async Task<TestDaemon> StartAsync(bool kestrel = false, string extraHocon = "", string? dataDir = null, OrchestratorFactory? orchestratorFactory = null,
        TimeProvider? time = null)
    {
        var ownsDataDir = dataDir is null;
        dataDir ??= Path.Combine(Path.GetTempPath(), "autopilot-daemon-tests", Guid.NewGuid().ToString("N"));
        var received = new ConcurrentQueue<object>();
        var log = new StringWriter();
        var app = DaemonHost.Build(new DaemonHostOptions
        {
            Overrides = Hocon(dataDir, extraHocon),
            EnvironmentVariables = _ => null,
            OrchestratorFactory = orchestratorFactory ?? Fake(received),
            Time = time ?? TimeProvider.System,
            LogOutput = TextWriter.Synchronized(log),
            JsonLogs = true,
            ConfigureWebHost = kestrel ? null : web => web.UseTestServer(),
        });
        var daemon = new TestDaemon(app, received, dataDir, ownsDataDir, log);
        try
        {
            await app.StartAsync();
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

            await daemon.Runtime.Started.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Null(daemon.Runtime.StartupFailure);
            await Poll.UntilAsync(() => daemon.Runtime.IsReady, "the daemon to be ready", TimeSpan.FromSeconds(60));
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
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

    /// <summary>
    /// Every event of <paramref name="persistenceId"/> now in the journal, read through Akka.Persistence.Query's SQL read
    /// journal (what the daemon's own reads use), in sequence order.
    /// </summary>
    public async Task<List<object>> EventsAsync(string persistenceId)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var events = new List<object>();
        await foreach (var envelope in Runtime.Audit!.CurrentEventsByPersistenceId(persistenceId, 0, deadline.Token))
        {
            events.Add(envelope.Event);
        }

        return events;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Client?.Dispose();
        try
        {
            await App.StopAsync();
        }
        finally
        {
            await App.DisposeAsync();
            if (_ownsDataDir)
            {
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
    }
}
