using Autopilot.Cli;

namespace Autopilot.Cli.Tests;

/// <summary>Runs the CLI in-process with captured stdout/stderr and a controlled environment.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static async Task<CliRun> ExecAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await AutopilotCli.RunAsync(args, CliEnvironment.Captured(output, error, name => environment?.GetValueOrDefault(name)));
        return new CliRun(code, output.ToString(), error.ToString());
    }
}
