using System.CommandLine;
using Autopilot.Cli.Client;
using Autopilot.Cli.Rendering;
using Spectre.Console;

namespace Autopilot.Cli.Commands;

/// <summary>
/// <c>cluster show</c> (members, leader, lease, inbox backlog), <c>cluster leave</c> (the node at --host leaves
/// gracefully and exits) and <c>cluster down &lt;node&gt;</c> (declare a node dead so its lease moves at once).
/// </summary>
public static class ClusterCommands
{
    /// <summary>The <c>cluster</c> command and its subcommands.</summary>
    public static Command Create(CommandRunner runner)
    {
        var cluster = new Command("cluster", "Cluster membership: show the nodes, leave, down a node.");
        cluster.Subcommands.Add(Show(runner));
        cluster.Subcommands.Add(Leave(runner));
        cluster.Subcommands.Add(Down(runner));
        return cluster;
    }

    private static Command Show(CommandRunner runner)
    {
        var show = new Command("show", "Show the cluster's nodes, which one leads, the orchestrator lease and the inbox backlog.");
        runner.Handle(show, async (c, ct) =>
        {
            var report = await c.Client.GetAsync("/api/cluster", ct);
            if (c.Json)
            {
                c.Runner.WriteJson(report);
                return ExitCodes.Ok;
            }

            var leader = report.Text("leader");
            var self = report.Text("self");
            var members = new Table().AddColumns("Node", "Status", "Role", "Address", "Incarnation", "Version", "Reason");
            foreach (var member in report.Items("members"))
            {
                var node = member.Text("nodeId");
                var role = member.Text("status") != "up" ? "" : node == leader ? "leader" : "standby";
                members.AddRow(Markup.Escape(node + (node == self ? " (this node)" : "")), member.Text("status"), role,
                    Markup.Escape(member.Text("address")), member.Text("incarnation"), Markup.Escape(member.Text("appVersion")), Markup.Escape(member.Text("statusReason")));
            }

            c.Out.Write(members);
            if (!report.Flag("clustered"))
            {
                c.Out.MarkupLine("Single node: clustering is off (autopilot.cluster.enabled).");
                return ExitCodes.Ok;
            }

            foreach (var lease in report.Items("leases"))
            {
                c.Out.MarkupLine(Markup.Escape(lease.Flag("held")
                    ? $"Lease {lease.Text("name")}: held by {lease.Text("owner")} with fencing token {lease.Text("token")}, valid for {lease.Text("validForMs")} ms"
                    : $"Lease {lease.Text("name")}: free (last holder {lease.Text("owner")}, token {lease.Text("token")})"));
            }

            c.Out.MarkupLine($"Inbox: {report.Text("inboxPending")} pending");
            return ExitCodes.Ok;
        });
        return show;
    }

    private static Command Leave(CommandRunner runner)
    {
        var leave = new Command("leave", "Make the node at --host leave the cluster gracefully: it hands the orchestrator over and exits (needs an operator token).");
        runner.Handle(leave, async (c, ct) =>
        {
            var (accepted, body) = await c.Client.PostAsync("/api/cluster/leave", ct);
            if (!accepted)
            {
                throw new CliException(ExitCodes.Failed, body.Text("message"));
            }

            if (c.Json)
            {
                c.Runner.WriteJson(body);
            }
            else
            {
                c.Out.MarkupLine($"Node [bold]{Markup.Escape(body.Text("node"))}[/] is leaving the cluster; it exits once the orchestrator is handed over.");
            }

            return ExitCodes.Ok;
        });
        return leave;
    }

    private static Command Down(CommandRunner runner)
    {
        var node = new Argument<string>("node") { Description = "The node id to declare Down (see `autopilot cluster show`)." };
        var down = new Command("down", "Declare a node Down: its lease moves to a standby at once and the node exits if it still runs (needs an admin token).") { node };
        runner.Handle(down, async (c, ct) =>
        {
            var target = c.Parse.GetValue(node)!;
            var (accepted, body) = await c.Client.PostAsync($"/api/cluster/down/{Uri.EscapeDataString(target)}", ct);
            if (!accepted)
            {
                throw new CliException(ExitCodes.Failed, body.Text("message"));
            }

            if (c.Json)
            {
                c.Runner.WriteJson(body);
            }
            else
            {
                c.Out.MarkupLine(body.Flag("downed")
                    ? $"Node [bold]{Markup.Escape(target)}[/] is now Down."
                    : $"Node [bold]{Markup.Escape(target)}[/] was already Down or Removed.");
            }

            return ExitCodes.Ok;
        });
        return down;
    }
}
