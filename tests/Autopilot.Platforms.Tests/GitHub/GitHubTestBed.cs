using Autopilot.Platforms.Tests.Support;
using System.Security.Cryptography;
using Autopilot.Platforms.GitHub;
using Autopilot.Platforms.Http;
using Autopilot.Platforms.Redaction;
using Autopilot.Platforms.Tests.Http;
using Autopilot.Simulator.GitHub;
using Autopilot.Simulator.Hosting;

namespace Autopilot.Platforms.Tests.GitHub;

/// <summary>A GitHub fake with one repository and a GitHub App, plus clients pointed at it on a shared virtual clock.</summary>
public sealed class GitHubTestBed : IAsyncDisposable
{
    public const string AppId = "424242";
    public const long InstallationId = 77;
    public const string Owner = "acme";
    public const string RepoName = "web";
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(59);

    public static readonly PlatformCallOptions CallOptions = new(
        MaxAttempts: 3,
        BaseDelay: TimeSpan.FromSeconds(1),
        MaxDelay: TimeSpan.FromSeconds(4),
        AttemptTimeout: AttemptTimeout,
        MaxRetryAfter: TimeSpan.FromMinutes(5));

    private GitHubTestBed(ObservableFakeTimeProvider clock, GitHubFake fake, RSA appKey)
    {
        Clock = clock;
        Fake = fake;
        AppKey = appKey;
    }

    public ObservableFakeTimeProvider Clock { get; }
    public GitHubFake Fake { get; }
    public RSA AppKey { get; }
    public string AppKeyPem => AppKey.ExportRSAPrivateKeyPem();
    public CapturingLogger Logger { get; } = new();
    public Redactor Redactor { get; } = new();
    public HttpClient Http { get; } = new() { Timeout = Timeout.InfiniteTimeSpan };
    public GitHubRepository Repository { get; } = new(Owner, RepoName);

    public GitHubClientOptions Options => new() { BaseAddress = Fake.BaseAddress, Call = CallOptions };

    public static async Task<GitHubTestBed> StartAsync()
    {
        var clock = new ObservableFakeTimeProvider();
        var fake = new GitHubFake(clock);
        await fake.StartAsync();
        var key = RSA.Create(2048);
        var publicKey = RSA.Create();
        publicKey.ImportRSAPublicKey(key.ExportRSAPublicKey(), out _);
        fake.RegisterApp(AppId, publicKey, InstallationId);
        fake.AddRepository(Owner, RepoName);
        return new GitHubTestBed(clock, fake, key);
    }

    public GitHubAppTokenSource CreateAppTokenSource(string? pem = null, string appId = AppId) =>
        new(Http, new GitHubAppCredentials(appId, InstallationId, pem ?? AppKeyPem), Options, Clock, Redactor, Logger);

    public GitHubClient CreateClient(IGitHubTokenSource? tokens = null) =>
        new(Http, Options, tokens ?? CreateAppTokenSource(), Clock, Redactor, Logger);

    /// <summary>Waits until the client sleeps before a retry, then lets that much virtual time pass.</summary>
    public async Task<TimeSpan> PassNextRetryDelayAsync()
    {
        var delay = await Clock.WhenDelayRequested(d => d != AttemptTimeout).WaitAsync(TimeSpan.FromSeconds(30));
        Clock.Advance(delay);
        return delay;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        AppKey.Dispose();
        await Fake.DisposeAsync();
    }
}
