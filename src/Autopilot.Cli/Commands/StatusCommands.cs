using System.CommandLine;
using Autopilot.Cli.Rendering;
using Spectre.Console;

namespace Autopilot.Cli.Commands;

/// <summary><c>health</c>: how the daemon at --host is doing.</summary>
public static class StatusCommands
{
    /// <summary><c>health</c>: component status; exit 1 when the daemon reports itself unhealthy.</summary>
    public static Command Health(CommandRunner runner)
    {
        var command = new Command("health", "Show the daemon's health: journal, actor system, orchestrator, cluster membership, each platform.");
        runner.Handle(command, async (c, ct) =>
        {
            var health = await c.Client.GetAsync("/health", ct, acceptUnhealthy: true);
            if (c.Json)
            {
                c.Runner.WriteJson(health);
            }
            else
            {
                var table = new Table().AddColumns("Component", "Status", "Detail");
                foreach (var component in new[] { "journal", "actorSystem", "orchestrator", "cluster" })
                {
                    var part = health.GetProperty(component);
                    table.AddRow(component, part.Text("status"), part.Text("detail"));
                }

                foreach (var platform in health.Items("platforms"))
                {
                    table.AddRow($"platform {platform.Text("platform")}", platform.Text("status"), platform.Text("detail"));
                }

                c.Out.MarkupLine($"Node [bold]{health.Text("node")}[/]: {health.Text("status")}");
                c.Out.Write(table);
            }

            return health.Text("status") == "unhealthy" ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return command;
    }
}
