using System.CommandLine;
using Autopilot.Cli.Rendering;
using Spectre.Console;

namespace Autopilot.Cli.Commands;

/// <summary>
/// Decisions that wait for a human: <c>approvals</c> lists them (viewer), <c>approve &lt;id&gt;</c> and
/// <c>reject &lt;id&gt;</c> decide one as the token's name (operator token). Exit 0 when decided, 1 when the
/// orchestrator refused (already decided, expired, unknown id), otherwise as every command (3 unreachable, 4 unauthorized).
/// </summary>
public static class ApprovalCommands
{
    /// <summary><c>approvals</c>.</summary>
    public static Command List(CommandRunner runner)
    {
        var command = new Command("approvals", "Show the approvals waiting for a human (decide with `autopilot approve|reject <id>`).");
        runner.Handle(command, async (c, ct) =>
        {
            var answer = await c.Client.GetAsync("/api/approvals", ct);
            if (c.Json)
            {
                c.Runner.WriteJson(answer);
                return ExitCodes.Ok;
            }

            var approvals = answer.GetProperty("approvals");
            var table = new Table().AddColumns("Id", "Service", "Action", "Why", "Situation", "Requested", "Expires");
            foreach (var a in approvals.EnumerateArray())
            {
                var situation = a.TryGetProperty("evidence", out var evidence) && evidence.TryGetProperty("situation", out var s) ? s.GetString() ?? "" : "";
                table.AddRow(Markup.Escape(a.Text("id")), Markup.Escape(a.Text("service")), Markup.Escape(a.Text("action")), Markup.Escape(a.Text("reason")),
                    Markup.Escape(situation), a.Time("requestedAt"), a.Time("expiresAt"));
            }

            c.Out.Write(table);
            c.Out.MarkupLine($"{approvals.GetArrayLength()} pending approval(s)");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary><c>approve &lt;id&gt;</c>.</summary>
    public static Command Approve(CommandRunner runner) => Decide(runner, "approve", "Approve a pending approval: its action runs (unless paused or in dry-run).");

    /// <summary><c>reject &lt;id&gt;</c>.</summary>
    public static Command Reject(CommandRunner runner) => Decide(runner, "reject", "Reject a pending approval: its action does not run.");

    private static Command Decide(CommandRunner runner, string verb, string description)
    {
        var id = new Argument<string>("id") { Description = "The approval id (see `autopilot approvals`)." };
        var command = new Command(verb, $"{description} Needs an operator token.") { id };
        runner.Handle(command, async (c, ct) =>
        {
            var (accepted, body) = await c.Client.PostAsync($"/api/approvals/{Uri.EscapeDataString(c.Parse.GetValue(id)!)}/{verb}", ct);
            if (c.Json)
            {
                c.Runner.WriteJson(body);
            }
            else
            {
                c.Out.MarkupLine(accepted ? $"[green]{verb}d[/]: {Markup.Escape(body.Text("message"))}" : $"[red]refused[/]: {Markup.Escape(body.Text("message"))}");
            }

            return accepted ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }
}
