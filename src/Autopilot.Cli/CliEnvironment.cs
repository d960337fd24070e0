using Spectre.Console;

namespace Autopilot.Cli;

/// <summary>What the CLI writes to and reads from; the real console and environment in the process, captured in tests.</summary>
/// <param name="Out">Tables and human output.</param>
/// <param name="RawOut">Machine output (<c>--json</c>, help), written unwrapped.</param>
/// <param name="Error">Error messages (stderr), so scripts can parse stdout.</param>
/// <param name="Environment">Environment lookup (AUTOPILOT_TOKEN, AUTOPILOT_HOST).</param>
public sealed record CliEnvironment(IAnsiConsole Out, TextWriter RawOut, TextWriter Error, Func<string, string?> Environment)
{
    /// <summary>The HTTP transport to the daemon: null for real sockets; tests put a canned daemon here.</summary>
    public HttpMessageHandler? Transport { get; init; }

    /// <summary>The process's console and environment.</summary>
    /// <remarks>When stdout is redirected (a pipe or a file) tables are plain and unwrapped, so scripts and grep see whole lines.</remarks>
    public static CliEnvironment Process() =>
        new(Console.IsOutputRedirected ? PlainConsole(Console.Out) : AnsiConsole.Console, Console.Out, Console.Error, System.Environment.GetEnvironmentVariable);

    /// <summary>Output to <paramref name="output"/> and <paramref name="error"/> with a plain console (tests, embedding).</summary>
    public static CliEnvironment Captured(TextWriter output, TextWriter error, Func<string, string?> environment) =>
        new(PlainConsole(output), output, error, environment);

    /// <summary>A plain (no colour, no ANSI) console writing to <paramref name="writer"/>, wide enough not to wrap tables.</summary>
    public static IAnsiConsole PlainConsole(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 200;
        return console;
    }
}
