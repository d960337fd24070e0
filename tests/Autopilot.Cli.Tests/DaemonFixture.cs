using Autopilot.Daemon.Tests.Fixtures;

namespace Autopilot.Cli.Tests;

/// <summary>One daemon on real Kestrel (loopback, free port) shared by a test class.</summary>
public sealed class DaemonFixture : IAsyncLifetime
{
    public TestDaemon Daemon { get; private set; } = null!;

    public string Host => Daemon.Address!.Authority;

    public async Task InitializeAsync() => Daemon = await TestDaemon.StartAsync(kestrel: true);

    public async Task DisposeAsync() => await Daemon.DisposeAsync();

    /// <summary>Runs the CLI against this daemon with <paramref name="token"/> in AUTOPILOT_TOKEN.</summary>
    public Task<CliRun> RunAsync(string? token, params string[] args)
    {
        var environment = new Dictionary<string, string> { ["AUTOPILOT_HOST"] = Host };
        if (token is not null)
        {
            environment["AUTOPILOT_TOKEN"] = token;
        }

        return CliRun.ExecAsync(environment, args);
    }
}
