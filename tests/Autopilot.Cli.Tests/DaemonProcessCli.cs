using Autopilot.Daemon.Tests.Fixtures;

namespace Autopilot.Cli.Tests;

/// <summary>Runs the CLI against a <see cref="DaemonProcess"/>.</summary>
public static class DaemonProcessCli
{
    public static Task<CliRun> RunAsync(this DaemonProcess daemon, string token, params string[] args) =>
        CliRun.ExecAsync(new Dictionary<string, string> { ["AUTOPILOT_HOST"] = daemon.Host, ["AUTOPILOT_TOKEN"] = token }, args);
}
