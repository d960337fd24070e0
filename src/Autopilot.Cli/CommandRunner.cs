using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Autopilot.Cli.Client;
using Spectre.Console;

namespace Autopilot.Cli;

/// <summary>
/// Runs one command's body with a daemon client and maps <see cref="CliException"/> to its message on stderr and its
/// exit code, so every command fails the same way.
/// </summary>
public sealed class CommandRunner(GlobalOptions options, CliEnvironment environment)
{
    // Relaxed escaping: a terminal is no HTML page, so ' ` + < > stay readable instead of becoming \u0027 and the like.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The console and environment.</summary>
    public CliEnvironment Environment => environment;

    /// <summary>Sets <paramref name="command"/>'s action to <paramref name="body"/>.</summary>
    public void Handle(Command command, Func<CommandContext, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                using var client = options.Client(parse, environment);
                return await body(new CommandContext(parse, client, parse.GetValue(options.Json), this), ct);
            }
            catch (CliException e)
            {
                await environment.Error.WriteLineAsync($"autopilot: {e.Message}");
                return e.ExitCode;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return ExitCodes.Ok;
            }
        });

    /// <summary>Prints JSON as the daemon sent it, indented.</summary>
    public void WriteJson(JsonElement json) => environment.RawOut.WriteLine(JsonSerializer.Serialize(json, Indented));
}

/// <summary>What a command body gets.</summary>
/// <param name="Parse">Its parsed arguments.</param>
/// <param name="Client">The daemon.</param>
/// <param name="Json">True with <c>--json</c>.</param>
/// <param name="Runner">Output helpers.</param>
public sealed record CommandContext(ParseResult Parse, DaemonClient Client, bool Json, CommandRunner Runner)
{
    /// <summary>Tables go here.</summary>
    public Spectre.Console.IAnsiConsole Out => Runner.Environment.Out;
}
