using System.CommandLine;
using Autopilot.Cli.Rendering;
using Spectre.Console;

namespace Autopilot.Cli.Commands;

/// <summary><c>health</c>: how the daemon at --host is doing.</summary>
public static class StatusCommands
{
    /// <summary>
    /// <c>health</c>: component status; exit 1 when the daemon reports itself unhealthy (down). With a token it shows the
    /// details of <c>/api/health</c> (node, journal back end, each platform); without one only what the unauthenticated
    /// <c>/health</c> says: up or down, per component.
    /// </summary>
    public static Command Health(CommandRunner runner)
    {
        var command = new Command("health", "Show the daemon's health: journal, actor system, orchestrator, cluster membership, each platform (details need a token).");
        runner.Handle(command, async (c, ct) =>
        {
            var detailed = c.Client.HasToken;
            var health = await c.Client.GetAsync(detailed ? "/api/health" : "/health", ct, acceptUnhealthy: true);
            if (c.Json)
            {
                c.Runner.WriteJson(health);
            }
            else if (detailed)
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
            else
            {
                var table = new Table().AddColumns("Component", "Status");
                if (health.TryGetProperty("components", out var components) && components.ValueKind == System.Text.Json.JsonValueKind.Object)
                {
                    foreach (var component in components.EnumerateObject())
                    {
                        table.AddRow(component.Name, component.Value.GetString() ?? "");
                    }
                }

                c.Out.MarkupLine($"Daemon: {health.Text("status")} [grey](set AUTOPILOT_TOKEN or --token for details)[/]");
                c.Out.Write(table);
            }

            return health.Text("status") is "unhealthy" or "down" ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return command;
    }
}
