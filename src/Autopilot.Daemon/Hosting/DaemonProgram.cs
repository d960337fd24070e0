using Autopilot.Actors.Configuration;
using Autopilot.Daemon.Runtime;
using Autopilot.Daemon.Simulation;
using Microsoft.AspNetCore.Builder;

namespace Autopilot.Daemon.Hosting;

/// <summary>
/// The <c>autopilotd</c> process: parses the command line, starts the simulator if asked, builds and runs the host.
/// Exit codes: 0 after a clean stop, 1 when the daemon failed while running, 2 for bad arguments or configuration.
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
            return 2;
        }

        if (commandLine.ShowHelp)
        {
            Console.WriteLine(DaemonCommandLine.Usage);
            return 0;
        }

        SimulatedPlatforms? simulation = null;
        try
        {
            if (commandLine.Simulate)
            {
                simulation = await SimulatedPlatforms.StartAsync(TimeProvider.System);
                Console.Error.WriteLine($"autopilotd: simulating Railway ({simulation.Railway.BaseAddress}), GitHub ({simulation.GitHub.BaseAddress}), "
                    + $"n8n ({simulation.N8n.BaseAddress}) and Telegram ({simulation.Telegram.BaseAddress}); demo service '{SimulatedPlatforms.DemoService}'.\n"
                    + $"autopilotd: watch it with:  AUTOPILOT_TOKEN={simulation.SessionToken} dotnet run --project src/Autopilot.Cli -- audit tail -f");
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
                return 2;
            }

            await using (app)
            {
                await app.RunAsync();
            }

            return 0;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            await Console.Error.WriteLineAsync($"autopilotd: {e.Message}");
            return 1;
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
