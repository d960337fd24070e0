using System.CommandLine;
using System.Net;
using System.Text.Json;
using Autopilot.Cli.Client;
using Autopilot.Cli.Rendering;
using Spectre.Console;

namespace Autopilot.Cli.Commands;

/// <summary>
/// <c>task submit|list|show|cancel|watch</c>: the daemon's operator task queue (<c>/api/tasks</c>). Submitting and
/// cancelling need an operator token, reading any token. <c>submit --watch</c> and <c>watch</c> follow a task until it
/// ends and exit 0 only when it succeeded (1 for any other outcome), so a pipeline can wait on it.
/// </summary>
public static class TaskCommands
{
    /// <summary>The <c>task</c> command and its subcommands.</summary>
    public static Command Create(CommandRunner runner)
    {
        var command = new Command("task", "Submit, list, show, cancel and watch operator tasks (redeploy, restart, rollback, fallback-run, drill, gate).");
        command.Subcommands.Add(Submit(runner));
        command.Subcommands.Add(List(runner));
        command.Subcommands.Add(Show(runner));
        command.Subcommands.Add(Cancel(runner));
        command.Subcommands.Add(Watch(runner));
        return command;
    }

    private static Option<int> IntervalOption() => new("--interval-ms")
    {
        Description = "How often to look at the task while watching, in milliseconds.",
        DefaultValueFactory = _ => 1000,
    };

    private static Command Submit(CommandRunner runner)
    {
        var kind = new Argument<string>("kind") { Description = "redeploy, restart, rollback, fallback-run, drill or gate (docs/operations.md)." };
        var target = new Argument<string>("target") { Description = "What it acts on: a service, a health target, a workflow id, a drill scenario." };
        var parameters = new Option<string[]>("--param") { Description = "A parameter as key=value (e.g. commit=<sha> for gate, execution=<id> for fallback-run); repeatable." };
        var priority = new Option<string>("--priority") { Description = "high, normal or low.", DefaultValueFactory = _ => "normal" };
        var timeout = new Option<string?>("--timeout") { Description = "How long it may run once started, e.g. 90s, 10m, 1h (default: the daemon's)." };
        var key = new Option<string?>("--key") { Description = "Idempotency key: submitting again with the same key returns the same task." };
        var watch = new Option<bool>("--watch") { Description = "Follow the task until it ends (exit 0 only when it succeeded)." };
        var interval = IntervalOption();
        var command = new Command("submit", "Queue a task (operator token); prints its id.") { kind, target, parameters, priority, timeout, key, watch, interval };
        runner.Handle(command, async (c, ct) =>
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in c.Parse.GetValue(parameters) ?? [])
            {
                var at = pair.IndexOf('=', StringComparison.Ordinal);
                if (at <= 0)
                {
                    throw new CliException(ExitCodes.Usage, $"--param '{pair}' is not key=value.");
                }

                values[pair[..at]] = pair[(at + 1)..];
            }

            var headers = c.Parse.GetValue(key) is { Length: > 0 } idempotencyKey
                ? new Dictionary<string, string> { ["Idempotency-Key"] = idempotencyKey }
                : null;
            var body = new { kind = c.Parse.GetValue(kind), target = c.Parse.GetValue(target), parameters = values, priority = c.Parse.GetValue(priority), timeout = c.Parse.GetValue(timeout) };
            var (status, answer) = await c.Client.PostJsonAsync("/api/tasks", body, [HttpStatusCode.BadRequest], ct, headers);
            if (status != HttpStatusCode.Accepted)
            {
                throw new CliException(ExitCodes.Failed, $"The task was not queued: {answer.GetProperty("message").GetString()}");
            }

            var id = answer.GetProperty("id").GetString()!;
            if (c.Parse.GetValue(watch))
            {
                c.Out.MarkupLine($"{(answer.Flag("existing") ? "already submitted as" : "queued")} [bold]{Markup.Escape(id)}[/]");
                return await FollowAsync(c, id, c.Parse.GetValue(interval), ct);
            }

            if (c.Json)
            {
                c.Runner.WriteJson(answer);
            }
            else
            {
                c.Out.MarkupLine($"{(answer.Flag("existing") ? "already submitted as" : "queued")} [bold]{Markup.Escape(id)}[/] ({answer.Text("status")})");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CommandRunner runner)
    {
        var status = new Option<string?>("--status") { Description = "Only tasks in this status (queued, running, succeeded, failed, refused, dry-run, needs-approval, interrupted, cancelled, timed-out)." };
        var command = new Command("list", "List tasks: running, then queued in the order they start, then finished ones, newest first.") { status };
        runner.Handle(command, async (c, ct) =>
        {
            var filter = c.Parse.GetValue(status);
            var (code, answer) = await c.Client.GetWithRefusalsAsync(filter is null ? "/api/tasks" : $"/api/tasks?status={Uri.EscapeDataString(filter)}",
                [HttpStatusCode.BadRequest], ct);
            if (code != HttpStatusCode.OK)
            {
                throw new CliException(ExitCodes.Usage, answer.GetProperty("message").GetString() ?? "bad status");
            }

            if (c.Json)
            {
                c.Runner.WriteJson(answer);
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("Id", "Kind", "Target", "Priority", "Status", "Submitted", "By", "Detail");
            foreach (var task in answer.Items("tasks"))
            {
                table.AddRow(task.Text("id"), task.Text("kind"), task.Text("target"), task.Text("priority"), Coloured(task), task.Time("submittedAt"),
                    task.Text("submittedBy"), task.Text("detail"));
            }

            c.Out.Write(table);
            c.Out.MarkupLine($"{answer.Items("tasks").Count()} task(s)");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(CommandRunner runner)
    {
        var id = new Argument<string>("id") { Description = "The task id." };
        var command = new Command("show", "Show a task and its timeline.") { id };
        runner.Handle(command, async (c, ct) =>
        {
            var detail = await GetAsync(c, c.Parse.GetValue(id)!, ct);
            if (c.Json)
            {
                c.Runner.WriteJson(detail);
                return ExitCodes.Ok;
            }

            var task = detail.GetProperty("task");
            c.Out.MarkupLine($"[bold]{task.Text("id")}[/] {task.Text("kind")} of {task.Text("target")} ({task.Text("priority")}, timeout {task.Text("timeout")}): {Coloured(task)}");
            foreach (var parameter in task.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object ? p.EnumerateObject().ToArray() : [])
            {
                c.Out.MarkupLine($"  {Markup.Escape(parameter.Name)} = {Markup.Escape(parameter.Value.GetString() ?? "")}");
            }

            if (task.Text("actionId") != "-")
            {
                c.Out.MarkupLine($"  action {task.Text("actionId")} (autopilot audit query shows what it did)");
            }

            var timeline = new Table().AddColumns("At", "Event", "Detail");
            foreach (var entry in detail.Items("timeline"))
            {
                timeline.AddRow(entry.Time("at"), entry.Text("event"), entry.Text("detail"));
            }

            c.Out.Write(timeline);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Cancel(CommandRunner runner)
    {
        var id = new Argument<string>("id") { Description = "The task id." };
        var command = new Command("cancel", "Cancel a queued task (operator token); a running or finished one cannot be (exit 1).") { id };
        runner.Handle(command, async (c, ct) =>
        {
            var (status, answer) = await c.Client.DeleteAsync($"/api/tasks/{Uri.EscapeDataString(c.Parse.GetValue(id)!)}",
                [HttpStatusCode.Conflict, HttpStatusCode.NotFound], ct);
            if (c.Json)
            {
                c.Runner.WriteJson(answer);
            }
            else
            {
                c.Out.MarkupLine(status == HttpStatusCode.OK ? $"[green]cancelled[/]: {answer.Text("message")}" : $"[red]not cancelled[/]: {answer.Text("message")}");
            }

            return status == HttpStatusCode.OK ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    private static Command Watch(CommandRunner runner)
    {
        var id = new Argument<string>("id") { Description = "The task id." };
        var interval = IntervalOption();
        var command = new Command("watch", "Follow a task until it ends, printing each step; exit 0 only when it succeeded.") { id, interval };
        runner.Handle(command, (c, ct) => FollowAsync(c, c.Parse.GetValue(id)!, c.Parse.GetValue(interval), ct));
        return command;
    }

    /// <summary>Prints each new timeline entry of the task until it ends; 0 when it succeeded, 1 otherwise.</summary>
    private static async Task<int> FollowAsync(CommandContext c, string id, int intervalMs, CancellationToken ct)
    {
        var shown = 0;
        while (true)
        {
            var detail = await GetAsync(c, id, ct);
            var timeline = detail.Items("timeline").ToArray();
            foreach (var entry in timeline.Skip(shown))
            {
                c.Out.MarkupLine($"{entry.Time("at")} {entry.Text("event")}: {entry.Text("detail")}");
            }

            shown = timeline.Length;
            var task = detail.GetProperty("task");
            var status = task.GetProperty("status").GetString();
            if (status is not ("queued" or "running"))
            {
                if (c.Json)
                {
                    c.Runner.WriteJson(detail);
                }

                return status == "succeeded" ? ExitCodes.Ok : ExitCodes.Failed;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(intervalMs, 50, 60_000)), ct);
        }
    }

    private static async Task<JsonElement> GetAsync(CommandContext c, string id, CancellationToken ct)
    {
        var (status, detail) = await c.Client.GetWithRefusalsAsync($"/api/tasks/{Uri.EscapeDataString(id)}", [HttpStatusCode.NotFound], ct);
        return status == HttpStatusCode.OK ? detail : throw new CliException(ExitCodes.Failed, detail.GetProperty("message").GetString() ?? $"No task {id}.");
    }

    private static string Coloured(JsonElement task)
    {
        var status = task.Text("status");
        var colour = status switch
        {
            "succeeded" => "green",
            "queued" or "running" or "dry-run" => "blue",
            "needs-approval" or "cancelled" => "yellow",
            _ => "red",
        };
        return $"[{colour}]{status}[/]";
    }
}
