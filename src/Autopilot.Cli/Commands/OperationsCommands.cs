using System.CommandLine;
using Autopilot.Cli.Rendering;
using Spectre.Console;

namespace Autopilot.Cli.Commands;

/// <summary><c>deployments</c> and <c>incidents</c>: what the autopilot watches and what went wrong.</summary>
public static class OperationsCommands
{
    /// <summary><c>deployments [--service]</c>.</summary>
    public static Command Deployments(CommandRunner runner)
    {
        var service = new Option<string?>("--service") { Description = "Only this service." };
        var command = new Command("deployments", "Show watched services' current deployments and the deployment history.") { service };
        runner.Handle(command, async (c, ct) =>
        {
            var report = await c.Client.GetAsync("/api/deployments" + AuditCommands.QueryString(("service", c.Parse.GetValue(service))), ct);
            if (c.Json)
            {
                c.Runner.WriteJson(report);
                return ExitCodes.Ok;
            }

            var services = new Table().AddColumns("Service", "Deployment", "Status", "Last good", "Actions (1h)", "Budget");
            foreach (var s in report.Items("services"))
            {
                services.AddRow(s.Text("service"), s.Text("currentDeploymentId"), s.Text("currentStatus"), s.Text("lastGoodDeploymentId"),
                    s.Text("actionsInLastHour"), s.Flag("budgetExhausted") ? "exhausted" : "ok");
            }

            c.Out.Write(services);
            var history = new Table().AddColumns("Time", "Service", "Deployment", "Commit", "Event", "Result");
            foreach (var h in report.Items("history"))
            {
                history.AddRow(h.Time("at"), h.Text("service"), h.Text("deploymentId"), h.Text("commit"), h.Text("type"), h.Text("result"));
            }

            c.Out.Write(history);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary><c>incidents [--open]</c>.</summary>
    public static Command Incidents(CommandRunner runner)
    {
        var open = new Option<bool>("--open") { Description = "Only incidents that are still open." };
        var command = new Command("incidents", "Show incidents; `incidents ack <id>` takes ownership of one.") { open };
        command.Subcommands.Add(ControlCommands.Acknowledge(runner));
        runner.Handle(command, async (c, ct) =>
        {
            var incidents = await c.Client.GetAsync("/api/incidents" + (c.Parse.GetValue(open) ? "?open=true" : ""), ct);
            if (c.Json)
            {
                c.Runner.WriteJson(incidents);
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("Id", "Service", "Title", "Opened", "Open", "Acknowledged by", "Last change");
            foreach (var i in incidents.EnumerateArray())
            {
                table.AddRow(i.Text("incidentId"), i.Text("service"), i.Text("title"), i.Time("openedAt"), i.Text("open"), i.Text("acknowledgedBy"), i.Text("lastChange"));
            }

            c.Out.Write(table);
            c.Out.MarkupLine($"{incidents.GetArrayLength()} incident(s)");
            return ExitCodes.Ok;
        });
        return command;
    }
}
