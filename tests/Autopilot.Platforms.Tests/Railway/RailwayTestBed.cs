using Autopilot.Platforms.Tests.Support;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Railway;
using Autopilot.Platforms.Redaction;
using Autopilot.Platforms.Tests.Http;
using Autopilot.Simulator.Hosting;
using Autopilot.Simulator.Railway;

namespace Autopilot.Platforms.Tests.Railway;

/// <summary>A Railway fake with one project/environment/service and a client pointed at it, sharing a virtual clock.</summary>
public sealed class RailwayTestBed : IAsyncDisposable
{
    public const string AccountToken = "rw-acct-7d41c0ffee9b2a55";
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(61);

    public static readonly PlatformCallOptions CallOptions = new(
        MaxAttempts: 3,
        BaseDelay: TimeSpan.FromSeconds(1),
        MaxDelay: TimeSpan.FromSeconds(4),
        AttemptTimeout: AttemptTimeout,
        MaxRetryAfter: TimeSpan.FromMinutes(2));

    private RailwayTestBed(ObservableFakeTimeProvider clock, RailwayFake fake, RailwayFakeService service)
    {
        Clock = clock;
        Fake = fake;
        Service = service;
    }

    public ObservableFakeTimeProvider Clock { get; }
    public RailwayFake Fake { get; }
    public RailwayFakeService Service { get; }
    public CapturingLogger Logger { get; } = new();
    public Redactor Redactor { get; } = new();
    public HttpClient Http { get; } = new() { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>The client's HttpClient: every request it sends is validated against the published schema first.</summary>
    public HttpClient ClientHttp { get; } = new(new SchemaCheckingHandler()) { Timeout = Timeout.InfiniteTimeSpan };

    public static async Task<RailwayTestBed> StartAsync()
    {
        // Build both schemas (the fake's and the checker's) up front, so that no test's wall-clock wait pays for it.
        await Task.WhenAll(Task.Run(() => RailwaySchema.Published), Task.Run(() => PublishedRailwaySchema.Schema));
        var clock = new ObservableFakeTimeProvider();
        var fake = new RailwayFake(clock, new RailwayFakeOptions(Step));
        await fake.StartAsync();
        fake.AddAccountToken(AccountToken);
        return new RailwayTestBed(clock, fake, fake.AddServiceWithProject("web"));
    }

    public RailwayClient CreateClient(string token = AccountToken, RailwayTokenKind kind = RailwayTokenKind.Account) =>
        new(ClientHttp, new RailwayClientOptions(token, kind) { Endpoint = Fake.Endpoint, Call = CallOptions }, Clock, Redactor, Logger);

    public void AdvanceSteps(int steps) => Clock.Advance(Step * steps);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        ClientHttp.Dispose();
        await Fake.DisposeAsync();
    }
}
