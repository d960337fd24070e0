using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Autopilot.Cli.Client;
using Autopilot.Cli.Rendering;
using Spectre.Console;

namespace Autopilot.Cli.Commands;

/// <summary>
/// <c>cluster show</c> (Akka.Cluster's members as the daemon sees them, the leader, the oldest member where the
/// singletons run, and the singletons' PostgreSQL leases), <c>cluster leave [&lt;address&gt;]</c> (a member leaves
/// gracefully; by default the node --host points at) and <c>cluster down &lt;address&gt;</c> (declare an unreachable
/// member down so the singletons move at once).
/// </summary>
/// <remarks>
/// Exit codes besides 0: 5 when the daemon runs as a single node (409 <c>not_clustered</c>), 1 when no member is at the
/// address (404 <c>member_not_found</c>), 2 for a usage error (also a 400 from the daemon), 4 for a refused token or
/// role, 3 when the daemon cannot be reached.
/// </remarks>
public static class ClusterCommands
{
    private static readonly HttpStatusCode[] MemberCommandRefusals = [HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.Conflict];

    /// <summary>The <c>cluster</c> command and its subcommands.</summary>
    public static Command Create(CommandRunner runner)
    {
        var cluster = new Command("cluster", "Akka.Cluster membership: show the members and the singletons' leases, make a member leave, down a member.");
        cluster.Subcommands.Add(Show(runner));
        cluster.Subcommands.Add(Leave(runner));
        cluster.Subcommands.Add(Down(runner));
        return cluster;
    }

    private static Command Show(CommandRunner runner)
    {
        var show = new Command("show", "Show the members (status, reachability, roles, version), the leader, the oldest member (where the singletons run) and the singletons' leases.");
        runner.Handle(show, async (c, ct) =>
        {
            var report = await c.Client.GetAsync("/api/cluster", ct);
            if (c.Json)
            {
                c.Runner.WriteJson(report);
            }
            else
            {
                Render(c.Out, report);
            }

            return ExitCodes.Ok;
        });
        return show;
    }

    /// <summary>Renders an answer of <c>GET /api/cluster</c> for people.</summary>
    public static void Render(IAnsiConsole console, JsonElement report)
    {
        var self = report.Text("self");
        if (!report.Flag("clustered"))
        {
            var version = report.Items("members").Select(m => m.Text("appVersion")).FirstOrDefault() ?? "-";
            console.MarkupLine($"Single node: {self} (version {version}) runs alone; clustering is off (autopilot.cluster.enabled = off).");
            console.MarkupLine("It runs the orchestrator and the hand-over itself: there is no other member, no leader election and no singleton lease, "
                               + "and `cluster leave` / `cluster down` do not apply (stop the process instead).");
            return;
        }

        var leader = report.Text("leader");
        var oldest = report.Text("oldest");
        var members = new Table().AddColumns("Member", "Status", "Reachable", "Roles", "Version", "Notes");
        foreach (var member in report.Items("members"))
        {
            var address = member.Text("address");
            var markers = new List<string>();
            if (address == self)
            {
                markers.Add("this node");
            }

            if (address == leader)
            {
                markers.Add("leader");
            }

            if (address == oldest)
            {
                markers.Add("oldest: runs the singletons");
            }

            var roles = member.Items("roles").Select(r => Markup.Escape(r.GetString() ?? "")).Where(r => r.Length > 0).ToArray();
            var status = member.Text("status");
            members.AddRow(
                address,
                status == "up" ? $"[green]{status}[/]" : status is "down" or "removed" ? $"[red]{status}[/]" : $"[yellow]{status}[/]",
                member.Flag("reachable") ? "yes" : "[red]NO[/]",
                roles.Length == 0 ? "-" : string.Join(", ", roles),
                member.Text("appVersion"),
                string.Join(", ", markers));
        }

        console.Write(members);
        console.MarkupLine($"Leader: {(leader == "-" ? "none (no member can lead yet)" : leader)}");
        console.MarkupLine(oldest == "-"
            ? "Oldest: none: no member is up, so the singletons (orchestrator, handover) run nowhere"
            : $"Oldest: {oldest} runs the singletons (orchestrator, handover)");

        var leases = new Table().AddColumns("Singleton lease", "Holder", "Fencing token", "State", "Valid for", "Error");
        foreach (var lease in report.Items("leases"))
        {
            var owner = lease.Text("owner");
            var error = lease.Text("error");
            var held = lease.Flag("held");
            leases.AddRow(
                lease.Text("singleton"),
                owner,
                owner == "-" && error == "-" ? "-" : lease.Text("token"),
                error != "-" ? "[red]unknown[/]" : held ? "[green]held[/]" : owner == "-" ? "free (never held)" : "free (expired)",
                held && error == "-" ? Duration(lease) : "-",
                error);
        }

        if (leases.Rows.Count > 0)
        {
            console.Write(leases);
        }
        else
        {
            console.MarkupLine("Leases: none reported");
        }
    }

    private static Command Leave(CommandRunner runner)
    {
        var address = new Argument<string?>("address")
        {
            Description = "The member that leaves: host:port or akka.tcp://autopilotd@host:port (see `autopilot cluster show`). Default: the node --host points at.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var leave = new Command("leave",
            "Make a member leave the cluster gracefully: it hands its singletons over to the next oldest member and is removed (needs an operator token).") { address };
        runner.Handle(leave, async (c, ct) =>
        {
            var target = c.Parse.GetValue(address);
            var body = await MemberCommandAsync(c, "/api/cluster/leave", target is null ? null : Address(target), ct);
            if (!c.Json)
            {
                c.Out.MarkupLine($"Member [bold]{body.Text("address")}[/] is leaving the cluster: it goes leaving, exiting, removed, and if it runs the "
                                 + "singletons they move to the next oldest member. Follow it with `autopilot cluster show`.");
            }

            return ExitCodes.Ok;
        });
        return leave;
    }

    private static Command Down(CommandRunner runner)
    {
        var address = new Argument<string>("address")
        {
            Description = "The member to declare down: host:port or akka.tcp://autopilotd@host:port (see `autopilot cluster show`).",
        };
        var down = new Command("down",
            "Declare a member down: the cluster removes it at once and the singletons it ran move to the oldest remaining member. "
            + "Only for a member that is gone or cut off; a running member should leave instead (needs an admin token).") { address };
        runner.Handle(down, async (c, ct) =>
        {
            var body = await MemberCommandAsync(c, "/api/cluster/down", Address(c.Parse.GetValue(address)!), ct);
            if (!c.Json)
            {
                c.Out.MarkupLine($"Member [bold]{body.Text("address")}[/] is marked down: the leader removes it, and if it ran the singletons they "
                                 + "move to the oldest remaining member. Follow it with `autopilot cluster show`.");
            }

            return ExitCodes.Ok;
        });
        return down;
    }

    private static string Address(string address) =>
        string.IsNullOrWhiteSpace(address)
            ? throw new CliException(ExitCodes.Usage, "The address is empty: name a member as host:port or akka.tcp://autopilotd@host:port (see `autopilot cluster show`).")
            : address.Trim();

    /// <summary>Sends a membership command; returns the 202 answer or throws the refusal with its exit code.</summary>
    private static async Task<JsonElement> MemberCommandAsync(CommandContext c, string path, string? address, CancellationToken ct)
    {
        var (status, body) = await c.Client.PostJsonAsync(path, new MemberCommandBody(address), MemberCommandRefusals, ct);
        if (c.Json)
        {
            c.Runner.WriteJson(body);
        }

        var code = body.ValueKind == JsonValueKind.Object && (body.TryGetProperty("error", out var e) || body.TryGetProperty("code", out e)) ? e.GetString() : null;
        var message = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("message", out var m) ? m.GetString() : null;
        message ??= $"the daemon answered {(int)status} {code}";
        return status switch
        {
            HttpStatusCode.Conflict when code is "not_clustered" or null => throw new CliException(ExitCodes.NotClustered, $"Not clustered: {message}"),
            HttpStatusCode.Conflict => throw new CliException(ExitCodes.Failed, message),
            HttpStatusCode.NotFound => throw new CliException(ExitCodes.Failed, message),
            HttpStatusCode.BadRequest => throw new CliException(ExitCodes.Usage, message),
            _ => body,
        };
    }

    private static string Duration(JsonElement lease)
    {
        if (!lease.TryGetProperty("validForMs", out var value) || !value.TryGetInt64(out var ms))
        {
            return "-";
        }

        var time = TimeSpan.FromMilliseconds(Math.Max(0, ms));
        return time.TotalSeconds < 1 ? $"{ms} ms"
            : time.TotalMinutes < 1 ? time.TotalSeconds.ToString("0.0 s", CultureInfo.InvariantCulture)
            : $"{(int)time.TotalMinutes}m {time.Seconds:00}s";
    }

    /// <summary>Body of <c>POST /api/cluster/leave</c> and <c>/down</c>.</summary>
    private sealed record MemberCommandBody(string? Address);
}
