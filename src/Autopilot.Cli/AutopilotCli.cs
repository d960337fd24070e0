using System.CommandLine;
using Autopilot.Cli.Commands;

namespace Autopilot.Cli;

/// <summary>The <c>autopilot</c> command line: builds the command tree and runs it with defined exit codes.</summary>
public static class AutopilotCli
{
    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand Build(CliEnvironment environment)
    {
        var options = new GlobalOptions();
        var runner = new CommandRunner(options, environment);
        var root = new RootCommand("Operate the autopilot daemon (autopilotd): status, actors, audit trail, control.");
        options.AddTo(root);
        root.Subcommands.Add(StatusCommands.Health(runner));
        root.Subcommands.Add(ClusterCommands.Create(runner));
        root.Subcommands.Add(ActorCommands.Create(runner));
        root.Subcommands.Add(AuditCommands.Create(runner));
        root.Subcommands.Add(OperationsCommands.Deployments(runner));
        root.Subcommands.Add(OperationsCommands.Incidents(runner));
        root.Subcommands.Add(ControlCommands.Pause(runner));
        root.Subcommands.Add(ControlCommands.Resume(runner));
        root.Subcommands.Add(ControlCommands.DryRun(runner));
        root.Subcommands.Add(ControlCommands.Rollback(runner));
        root.Subcommands.Add(ControlCommands.Drill(runner));
        root.Subcommands.Add(ControlCommands.Migrate(runner));
        root.Subcommands.Add(GateCommands.Create(runner));
        root.Subcommands.Add(TaskCommands.Create(runner));
        root.Subcommands.Add(ApprovalCommands.List(runner));
        root.Subcommands.Add(ApprovalCommands.Approve(runner));
        root.Subcommands.Add(ApprovalCommands.Reject(runner));
        root.Subcommands.Add(SetupCommands.Secrets(runner));
        root.Subcommands.Add(SetupCommands.Config(runner));
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns one of <see cref="ExitCodes"/>.</summary>
    public static async Task<int> RunAsync(string[] args, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        var root = Build(environment);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await environment.Error.WriteLineAsync($"autopilot: {error.Message}");
            }

            await environment.Error.WriteLineAsync("Run `autopilot --help` for usage.");
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = environment.RawOut, Error = environment.Error }, cancellationToken);
    }
}
