using System.CommandLine;
using System.Net;
using System.Text.Json;
using Autopilot.Cli.Client;
using Autopilot.Cli.Rendering;
using Spectre.Console;

namespace Autopilot.Cli.Commands;

/// <summary>
/// <c>gate &lt;commit&gt;</c>: the production-readiness gate's assessment of a commit (GO / WARNING / NO-GO and every
/// check with its evidence) as recorded; with <c>--run --service &lt;name&gt;</c> the orchestrator assesses it now,
/// deploying nothing (operator token). Exit 0 when an assessment is shown, 1 when there is none or it was refused.
/// </summary>
public static class GateCommands
{
    /// <summary>The <c>gate</c> command.</summary>
    public static Command Create(CommandRunner runner)
    {
        var commit = new Argument<string>("commit") { Description = "The commit's sha (or a prefix of at least 7 characters)." };
        var run = new Option<bool>("--run") { Description = "Assess it now (GitHub checks, diff, documents, rollback plan); nothing is deployed." };
        var service = new Option<string?>("--service") { Description = "With --run: the service the commit would be deployed to." };
        var command = new Command("gate", "Show the readiness gate's assessment of a commit, or run one without deploying.") { commit, run, service };
        runner.Handle(command, async (c, ct) =>
        {
            var sha = c.Parse.GetValue(commit)!;
            if (sha.Length < 7)
            {
                throw new CliException(ExitCodes.Usage, "Give at least 7 characters of the commit's sha.");
            }

            JsonElement body;
            HttpStatusCode status;
            if (c.Parse.GetValue(run))
            {
                var name = c.Parse.GetValue(service) ?? throw new CliException(ExitCodes.Usage, "--run needs --service <name>: the gate judges a commit for one service.");
                (status, body) = await c.Client.PostJsonAsync($"/api/gate/{Uri.EscapeDataString(sha)}?service={Uri.EscapeDataString(name)}", new { },
                    [HttpStatusCode.Conflict, HttpStatusCode.NotFound], ct);
            }
            else
            {
                (status, body) = await c.Client.GetWithRefusalsAsync($"/api/gate/{Uri.EscapeDataString(sha)}", [HttpStatusCode.NotFound], ct);
            }

            if (c.Json)
            {
                c.Runner.WriteJson(body);
            }
            else if (status is HttpStatusCode.OK)
            {
                Render(c.Out, body);
            }
            else
            {
                c.Out.MarkupLine($"[red]{Markup.Escape(body.Text("message"))}[/]");
            }

            return status is HttpStatusCode.OK ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    private static void Render(IAnsiConsole output, JsonElement assessment)
    {
        var decision = assessment.Text("decision");
        var colour = decision switch { "GO" => "green", "WARNING" => "yellow", _ => "red" };
        output.MarkupLine($"[{colour}]{Markup.Escape(decision)}[/] for {Markup.Escape(assessment.Text("service"))} at {Markup.Escape(assessment.Text("commit"))} " +
            $"({Markup.Escape(assessment.Time("at"))}, confidence {Markup.Escape(assessment.Text("confidence"))})");
        var checks = new Table().AddColumns("Check", "Passed", "Confidence", "Details");
        foreach (var check in assessment.Items("checks"))
        {
            checks.AddRow(Markup.Escape(check.Text("name")), check.Flag("passed") ? "[green]yes[/]" : "[red]NO[/]", check.Text("confidence"), Markup.Escape(check.Text("details")));
        }

        output.Write(checks);
    }
}
