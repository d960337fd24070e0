using System.CommandLine;
using System.Text.Json;
using Autopilot.Cli.Rendering;
using Spectre.Console;

namespace Autopilot.Cli.Commands;

/// <summary><c>actors tree</c> and <c>actors stats</c>: the live actor hierarchy with state, restarts and mailbox depth.</summary>
public static class ActorCommands
{
    /// <summary>The <c>actors</c> command group.</summary>
    public static Command Create(CommandRunner runner)
    {
        var tree = new Command("tree", "Show the live actor tree with each actor's state and restart count.");
        runner.Handle(tree, async (c, ct) =>
        {
            var report = await c.Client.GetAsync("/api/actors", ct);
            if (c.Json)
            {
                c.Runner.WriteJson(report);
                return ExitCodes.Ok;
            }

            var root = new Tree($"[bold]{report.Text("node")}[/] /user");
            foreach (var actor in report.Items("actors"))
            {
                Add(root.AddNode(Label(actor)), actor);
            }

            c.Out.Write(root);
            return ExitCodes.Ok;
        });

        var stats = new Command("stats", "Show every actor's status, restarts and mailbox depth as a table.");
        runner.Handle(stats, async (c, ct) =>
        {
            var report = await c.Client.GetAsync("/api/actors", ct);
            if (c.Json)
            {
                c.Runner.WriteJson(report);
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("Actor", "Type", "Status", "State", "Restarts", "Mailbox");
            foreach (var actor in Flatten(report.Items("actors")))
            {
                table.AddRow(Path(actor), actor.Text("actorType"), actor.Text("status"), actor.Text("state"), actor.Text("restartCount"), actor.Text("mailboxDepth"));
            }

            c.Out.Write(table);
            return ExitCodes.Ok;
        });

        var actors = new Command("actors", "The live actor tree.");
        actors.Subcommands.Add(tree);
        actors.Subcommands.Add(stats);
        return actors;
    }

    private static string Label(JsonElement actor)
    {
        var state = actor.Text("state") is var s && s != "-" ? $" state={s}" : "";
        return $"{actor.Text("name")} [grey]{actor.Text("actorType")}[/] {actor.Text("status")}{state} restarts={actor.Text("restartCount")} mailbox={actor.Text("mailboxDepth")}";
    }

    private static void Add(TreeNode node, JsonElement actor)
    {
        foreach (var child in actor.Items("children"))
        {
            Add(node.AddNode(Label(child)), child);
        }
    }

    private static IEnumerable<JsonElement> Flatten(IEnumerable<JsonElement> actors) =>
        actors.SelectMany(a => new[] { a }.Concat(Flatten(a.Items("children"))));

    private static string Path(JsonElement actor)
    {
        var path = actor.Text("path");
        var user = path.IndexOf("/user/", StringComparison.Ordinal);
        return user < 0 ? path : path[user..];
    }
}
