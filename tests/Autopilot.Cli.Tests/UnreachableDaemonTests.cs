using System.Net;
using System.Net.Sockets;
using Autopilot.Cli;

namespace Autopilot.Cli.Tests;

public sealed class UnreachableDaemonTests
{
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Theory]
    [InlineData("health")]
    [InlineData("actors", "tree")]
    [InlineData("pause")]
    [InlineData("audit", "tail", "-f")]
    public async Task When_nothing_listens_the_cli_says_so_and_exits_3(params string[] args)
    {
        var run = await CliRun.ExecAsync(new Dictionary<string, string> { ["AUTOPILOT_TOKEN"] = "some-token-value-123456" },
            ["--host", $"127.0.0.1:{ClosedPort()}", .. args]);

        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        Assert.Contains("Cannot reach the autopilot daemon", run.Error);
        Assert.Contains("autopilotd", run.Error);
    }

    [Fact]
    public async Task Help_lists_every_command_without_contacting_a_daemon()
    {
        var run = await CliRun.ExecAsync(null, "--help");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        foreach (var command in new[] { "health", "cluster", "actors", "audit", "deployments", "incidents", "pause", "resume", "dry-run", "rollback", "drill", "secrets", "config" })
        {
            Assert.Contains(command, run.Output);
        }
    }

    [Fact]
    public async Task A_host_that_is_not_an_address_is_a_usage_error()
    {
        var run = await CliRun.ExecAsync(null, "--host", "ftp://nope", "health");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
    }
}
