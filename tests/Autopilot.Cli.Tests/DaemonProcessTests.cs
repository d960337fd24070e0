using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Autopilot.Cli;
using Autopilot.Daemon.Tests.Fixtures;

namespace Autopilot.Cli.Tests;

/// <summary>The real thing: <c>autopilotd</c> as its own process, configured only through the environment, driven by the CLI.</summary>
public sealed class DaemonProcessTests
{
    private const string Token = "process-test-admin-token-0123456789";

    [Fact]
    public async Task A_daemon_process_with_no_configuration_file_serves_the_cli_and_stops_cleanly_on_sigterm()
    {
        var directory = Path.Combine(Path.GetTempPath(), "autopilot-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "autopilotd.dll")])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["AUTOPILOT_HTTP_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["AUTOPILOT_ADMIN_TOKEN"] = Token;
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var environment = new Dictionary<string, string> { ["AUTOPILOT_HOST"] = $"127.0.0.1:{port}", ["AUTOPILOT_TOKEN"] = Token };
            await Poll.UntilAsync(() => CliRun.ExecAsync(environment, "health").GetAwaiter().GetResult().ExitCode != ExitCodes.Unreachable,
                "the daemon to listen", TimeSpan.FromSeconds(60));

            var health = await CliRun.ExecAsync(environment, "health", "--json");
            var actors = await CliRun.ExecAsync(environment, "actors", "tree");
            var secrets = await CliRun.ExecAsync(environment, "secrets", "check");

            Assert.Equal(ExitCodes.Ok, health.ExitCode);
            var report = JsonDocument.Parse(health.Output).RootElement;
            Assert.All(report.GetProperty("platforms").EnumerateArray(), p => Assert.Equal("not configured", p.GetProperty("status").GetString()));
            Assert.Equal("healthy", report.GetProperty("journal").GetProperty("status").GetString());
            Assert.Equal(ExitCodes.Ok, actors.ExitCode);
            Assert.Contains("orchestrator", actors.Output);
            Assert.Contains("autopilot.platforms.github.webhook-secret", secrets.Output);
            Assert.True(File.Exists(Path.Combine(directory, "data", "autopilot.db")));

            Assert.Equal(0, Kill(process.Id, 15));
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(exit.Token);
            Assert.Equal(0, process.ExitCode);
            Assert.Contains(log, line => line.Contains("Journal closed", StringComparison.Ordinal));
            Assert.DoesNotContain(log, line => line.Contains(Token, StringComparison.Ordinal));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
