using System.CommandLine;
using System.Text.Json;
using Autopilot.Cli.Rendering;
using Spectre.Console;

namespace Autopilot.Cli.Commands;

/// <summary>
/// Commands sent to the orchestrator: <c>pause</c>, <c>resume</c>, <c>dry-run on|off</c>, <c>rollback &lt;service&gt;</c>,
/// <c>drill &lt;scenario&gt;</c>, <c>incidents ack &lt;id&gt;</c>, <c>migrate &lt;target&gt; [--dry-run]</c>. Exit 0 when accepted, 1 when
/// the orchestrator refused.
/// </summary>
public static class ControlCommands
{
    /// <summary><c>pause</c>.</summary>
    public static Command Pause(CommandRunner runner) =>
        Simple(runner, "pause", "Stop autonomous actions (observing and recording continue).", _ => "/api/pause");

    /// <summary><c>resume</c>.</summary>
    public static Command Resume(CommandRunner runner) =>
        Simple(runner, "resume", "Resume autonomous actions after pause.", _ => "/api/resume");

    /// <summary><c>dry-run on|off</c>.</summary>
    public static Command DryRun(CommandRunner runner)
    {
        var mode = new Argument<string>("mode") { Description = "on: decide and record but act on nothing; off: act again." };
        mode.AcceptOnlyFromAmong("on", "off");
        var command = new Command("dry-run", "Switch dry-run mode on or off.") { mode };
        Send(runner, command, p => $"/api/dry-run?enabled={(p.GetValue(mode) == "on" ? "true" : "false")}");
        return command;
    }

    /// <summary><c>rollback &lt;service&gt;</c> (admin token).</summary>
    public static Command Rollback(CommandRunner runner)
    {
        var service = new Argument<string>("service") { Description = "The service to roll back to its last good deployment." };
        var command = new Command("rollback", "Roll a service back to its last good deployment (needs an admin token).") { service };
        Send(runner, command, p => $"/api/rollback/{Uri.EscapeDataString(p.GetValue(service)!)}");
        return command;
    }

    /// <summary><c>drill &lt;scenario&gt;</c>.</summary>
    public static Command Drill(CommandRunner runner)
    {
        var scenario = new Argument<string>("scenario") { Description = "A situation of the policy table, e.g. deployment-failed." };
        var command = new Command("drill", "Run a drill: feed a synthetic situation through the loop without acting.") { scenario };
        Send(runner, command, p => $"/api/drills/{Uri.EscapeDataString(p.GetValue(scenario)!)}");
        return command;
    }

    /// <summary><c>migrate &lt;target&gt; [--dry-run]</c> (operator token).</summary>
    public static Command Migrate(CommandRunner runner)
    {
        var target = new Argument<string>("target") { Description = "The target database (autopilot.agents.migrations.targets)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only show what would be applied (pending files, destructive statements); change nothing." };
        var command = new Command("migrate",
            "Apply a target database's pending migrations under the policy (backup, one transaction per file, verification, restore on failure).") { target, dryRun };
        Send(runner, command, p => $"/api/migrations/{Uri.EscapeDataString(p.GetValue(target)!)}{(p.GetValue(dryRun) ? "?dryRun=true" : "")}");
        return command;
    }

    /// <summary><c>incidents ack &lt;id&gt;</c>.</summary>
    public static Command Acknowledge(CommandRunner runner)
    {
        var id = new Argument<string>("id") { Description = "The incident id (see `autopilot incidents`)." };
        var command = new Command("ack", "Acknowledge an incident: you own it now.") { id };
        Send(runner, command, p => $"/api/incidents/{Uri.EscapeDataString(p.GetValue(id)!)}/ack");
        return command;
    }

    private static Command Simple(CommandRunner runner, string name, string description, Func<ParseResult, string> path)
    {
        var command = new Command(name, description);
        Send(runner, command, path);
        return command;
    }

    private static void Send(CommandRunner runner, Command command, Func<ParseResult, string> path) =>
        runner.Handle(command, async (c, ct) =>
        {
            var (accepted, body) = await c.Client.PostAsync(path(c.Parse), ct);
            if (c.Json)
            {
                c.Runner.WriteJson(body);
            }
            else
            {
                c.Out.MarkupLine(accepted ? $"[green]accepted[/]: {body.Text("message")}" : $"[red]refused[/]: {body.Text("message")}");
            }

            return accepted ? ExitCodes.Ok : ExitCodes.Failed;
        });
}
