using System.CommandLine;
using Autopilot.Cli.Rendering;
using Spectre.Console;

namespace Autopilot.Cli.Commands;

/// <summary><c>health</c> and <c>cluster show</c>.</summary>
public static class StatusCommands
{
    /// <summary><c>health</c>: component status; exit 1 when the daemon reports itself unhealthy.</summary>
    public static Command Health(CommandRunner runner)
    {
        var command = new Command("health", "Show the daemon's health: journal, actor system, orchestrator, each platform.");
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
                foreach (var component in new[] { "journal", "actorSystem", "orchestrator" })
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

    /// <summary><c>cluster show</c>: the nodes (one, until clustering lands) and their state.</summary>
    public static Command Cluster(CommandRunner runner)
    {
        var show = new Command("show", "Show the cluster's nodes and their state.");
        runner.Handle(show, async (c, ct) =>
        {
            var status = await c.Client.GetAsync("/api/status", ct);
            if (c.Json)
            {
                c.Runner.WriteJson(status);
                return ExitCodes.Ok;
            }

            var autopilot = status.TryGetProperty("autopilot", out var a) ? a : default;
            var table = new Table().AddColumns("Node", "Ready", "Journal", "Orchestrator", "Paused", "Dry-run", "Started", "Version");
            table.AddRow(status.Text("node"), status.Text("ready"), $"{status.Text("journal")} ({status.Text("journalStatus")})",
                status.Text("orchestrator"), autopilot.Text("paused"), autopilot.Text("dryRun"), status.Time("startedAt"), status.Text("version"));
            c.Out.Write(table);
            var platforms = new Table().AddColumns("Platform", "Configured", "Detail");
            foreach (var platform in status.Items("platforms"))
            {
                platforms.AddRow(platform.Text("platform"), platform.Text("configured"), platform.Text("detail"));
            }

            c.Out.Write(platforms);
            return ExitCodes.Ok;
        });
        var cluster = new Command("cluster", "Cluster membership.");
        cluster.Subcommands.Add(show);
        return cluster;
    }
}
