using System.CommandLine;
using Autopilot.Cli.Rendering;
using Spectre.Console;

namespace Autopilot.Cli.Commands;

/// <summary><c>secrets check</c> and <c>config show</c>: is the daemon set up the way you think.</summary>
public static class SetupCommands
{
    /// <summary><c>secrets check</c>: which secrets resolved (never their values). Exit 0 either way: it is a report.</summary>
    public static Command Secrets(CommandRunner runner)
    {
        var check = new Command("check", "Show which secrets the daemon resolved (never their values) and which tokens exist.");
        runner.Handle(check, async (c, ct) =>
        {
            var report = await c.Client.GetAsync("/api/secrets/check", ct);
            if (c.Json)
            {
                c.Runner.WriteJson(report);
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("Key", "Environment variable", "Resolved");
            foreach (var secret in report.Items("secrets"))
            {
                table.AddRow(secret.Text("key"), secret.Text("environmentVariable"), secret.Flag("resolved") ? "[green]yes[/]" : "[yellow]no[/]");
            }

            c.Out.Write(table);
            var tokens = new Table().AddColumns("API token", "Role");
            foreach (var token in report.Items("apiTokens"))
            {
                tokens.AddRow(token.Text("name"), token.Text("role"));
            }

            c.Out.Write(tokens);
            return ExitCodes.Ok;
        });
        var secrets = new Command("secrets", "Secrets the daemon uses.");
        secrets.Subcommands.Add(check);
        return secrets;
    }

    /// <summary><c>config show</c>: the effective HOCON, secrets masked.</summary>
    public static Command Config(CommandRunner runner)
    {
        var show = new Command("show", "Print the daemon's effective configuration (secrets masked).");
        runner.Handle(show, async (c, ct) =>
        {
            var report = await c.Client.GetAsync("/api/config", ct);
            if (c.Json)
            {
                c.Runner.WriteJson(report);
            }
            else
            {
                c.Out.WriteLine(report.GetProperty("hocon").GetString() ?? "");
            }

            return ExitCodes.Ok;
        });
        var config = new Command("config", "The daemon's configuration.");
        config.Subcommands.Add(show);
        return config;
    }
}
