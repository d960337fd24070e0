using Akka.Configuration;
using Autopilot.Daemon.Runtime;
using Autopilot.Daemon.Simulation;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Autopilot.Daemon.Hosting;

/// <summary>
/// The <c>autopilotd</c> process: parses the command line, starts the simulator if asked, builds and runs the host.
/// Exit codes: see <see cref="DaemonExitCodes"/> (0 clean stop or cluster leave, 1 failure, 2 bad arguments or
/// configuration, 3 downed cluster node).
/// </summary>
public static class DaemonProgram
{
    /// <summary>Runs until SIGTERM/Ctrl+C.</summary>
    public static async Task<int> RunAsync(string[] args, OrchestratorFactory orchestratorFactory)
    {
        DaemonCommandLine commandLine;
        try
        {
            commandLine = DaemonCommandLine.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"autopilotd: {e.Message}\n\n{DaemonCommandLine.Usage}");
            return DaemonExitCodes.BadConfiguration;
        }

        if (commandLine.ShowHelp)
        {
            Console.WriteLine(DaemonCommandLine.Usage);
            return DaemonExitCodes.Stopped;
        }

        SimulatedPlatforms? simulation = null;
        try
        {
            if (commandLine.Simulate)
            {
                simulation = await SimulatedPlatforms.StartAsync(TimeProvider.System);
            }

            WebApplication app;
            try
            {
                app = DaemonHost.Build(new DaemonHostOptions
                {
                    ConfigFile = commandLine.ConfigFile,
                    Overrides = simulation?.Overrides,
                    OrchestratorFactory = orchestratorFactory,
                });
            }
            catch (ConfigurationException e)
            {
                await Console.Error.WriteLineAsync($"autopilotd: configuration error: {e.Message}");
                return DaemonExitCodes.BadConfiguration;
            }

            await using (app)
            {
                if (simulation is { } simulated)
                {
                    // Printed once Kestrel listens, so the commands name the real address and port.
                    app.Lifetime.ApplicationStarted.Register(() =>
                    {
                        foreach (var line in SimulationBanner.Lines(simulated, SimulationBanner.AddressOf(app.Urls)))
                        {
                            Console.Error.WriteLine(line);
                        }
                    });
                }

                // Resolved before running: RunAsync disposes the services when the host stops.
                var runtime = app.Services.GetRequiredService<DaemonRuntime>();
                await app.RunAsync();
                return runtime.ExitCode;
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            await Console.Error.WriteLineAsync($"autopilotd: {e.Message}");
            return DaemonExitCodes.Failed;
        }
        catch (ConfigurationException e)
        {
            // A setting only checked while the actor system starts (e.g. an Akka plugin key).
            await Console.Error.WriteLineAsync($"autopilotd: configuration error: {e.Message}");
            return DaemonExitCodes.BadConfiguration;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync($"autopilotd: start failed: {e.Message}");
            return DaemonExitCodes.Failed;
        }
        finally
        {
            if (simulation is not null)
            {
                await simulation.DisposeAsync();
            }
        }
    }
}
