using System.CommandLine;
using System.Text.Json;
using Autopilot.Cli.Rendering;
using Spectre.Console;

namespace Autopilot.Cli.Commands;

/// <summary><c>audit tail [-f]</c> and <c>audit query</c>: read the audit trail, or follow it live.</summary>
public static class AuditCommands
{
    /// <summary>The <c>audit</c> command group.</summary>
    public static Command Create(CommandRunner runner)
    {
        var audit = new Command("audit", "Read the audit trail (what the autopilot saw, decided and did).");
        audit.Subcommands.Add(Tail(runner));
        audit.Subcommands.Add(Query(runner));
        return audit;
    }

    private static Command Tail(CommandRunner runner)
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new events as they are recorded (Ctrl+C to stop)." };
        var tag = new Option<string?>("--tag") { Description = "Only events with this tag (railway, github, n8n, alerts, incident, security, autopilot)." };
        var service = new Option<string?>("--service") { Description = "Only events about this service." };
        var lines = new Option<int>("--lines", "-n") { Description = "How many recent events to show first.", DefaultValueFactory = _ => 20 };
        var command = new Command("tail", "Show the most recent audit events; -f follows new ones live.") { follow, tag, service, lines };
        runner.Handle(command, async (c, ct) =>
        {
            // With -n 0 nothing is read back and the stream starts at the daemon's current end.
            long? last = null;
            var count = c.Parse.GetValue(lines);
            if (count < 0)
            {
                throw new Client.CliException(ExitCodes.Usage, "--lines must be 0 or more.");
            }

            if (count > 0)
            {
                var query = QueryString(("tag", c.Parse.GetValue(tag)), ("service", c.Parse.GetValue(service)), ("limit", count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                var recent = await c.Client.GetAsync("/api/audit" + query, ct);
                last = 0;
                foreach (var record in recent.EnumerateArray())
                {
                    Print(c, record);
                    last = record.GetProperty("offset").GetInt64();
                }
            }

            if (!c.Parse.GetValue(follow))
            {
                return ExitCodes.Ok;
            }

            var streamQuery = QueryString(("tag", c.Parse.GetValue(tag)), ("service", c.Parse.GetValue(service)), ("after", last?.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            await foreach (var data in c.Client.StreamAsync("/api/audit/stream" + streamQuery, ct))
            {
                Print(c, JsonDocument.Parse(data).RootElement);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Query(CommandRunner runner)
    {
        var since = new Option<string?>("--since") { Description = "From this time (ISO 8601) or this long ago (15m, 2h, 7d)." };
        var until = new Option<string?>("--until") { Description = "Up to this time (ISO 8601) or this long ago." };
        // The daemon's phases (AuditFilter.Phases); the CLI takes no dependency on the daemon, so they are named here too.
        var phase = new Option<string?>("--phase") { Description = "observe, orient, decide, act, alert, incident, security, mode, cluster, approval or task." };
        phase.AcceptOnlyFromAmong("observe", "orient", "decide", "act", "alert", "incident", "security", "mode", "cluster", "approval", "task");
        var result = new Option<string?>("--result") { Description = "success or failure (outcomes of actions)." };
        result.AcceptOnlyFromAmong("success", "failure");
        var tag = new Option<string?>("--tag") { Description = "Only events with this tag." };
        var service = new Option<string?>("--service") { Description = "Only events about this service." };
        var limit = new Option<int>("--limit") { Description = "At most this many (the most recent).", DefaultValueFactory = _ => 100 };
        var command = new Command("query", "Search the audit trail.") { since, until, phase, result, tag, service, limit };
        runner.Handle(command, async (c, ct) =>
        {
            var records = await c.Client.GetAsync("/api/audit" + QueryString(
                ("since", c.Parse.GetValue(since)), ("until", c.Parse.GetValue(until)), ("phase", c.Parse.GetValue(phase)),
                ("result", c.Parse.GetValue(result)), ("tag", c.Parse.GetValue(tag)), ("service", c.Parse.GetValue(service)),
                ("limit", c.Parse.GetValue(limit).ToString(System.Globalization.CultureInfo.InvariantCulture))), ct);
            if (c.Json)
            {
                c.Runner.WriteJson(records);
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("Time", "Phase", "Type", "Service", "Result", "Details");
            foreach (var record in records.EnumerateArray())
            {
                table.AddRow(record.Time("timestamp"), record.Text("phase"), record.Text("type"), record.Text("service"), record.Text("result"), record.Summary());
            }

            c.Out.Write(table);
            c.Out.MarkupLine($"{records.GetArrayLength()} event(s)");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Print(CommandContext c, JsonElement record)
    {
        if (c.Json)
        {
            c.Runner.Environment.RawOut.WriteLine(record.GetRawText());
            return;
        }

        var service = record.Text("service") is var s && s != "-" ? $" [{s}]" : "";
        c.Out.MarkupLine($"{record.Time("timestamp")} {record.Text("phase"),-8} {record.Text("type")}{Markup.Escape(service)} {record.Summary()}");
    }

    /// <summary>Builds <c>?a=1&amp;b=2</c> from the pairs that have a value.</summary>
    internal static string QueryString(params (string Name, string? Value)[] pairs)
    {
        var present = pairs.Where(p => !string.IsNullOrWhiteSpace(p.Value)).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToArray();
        return present.Length == 0 ? "" : "?" + string.Join("&", present);
    }
}
