namespace Autopilot.Cli.Client;

/// <summary>A failure that ends the command with a message for the user and a defined exit code.</summary>
/// <param name="exitCode">One of <see cref="ExitCodes"/>.</param>
/// <param name="message">What went wrong and what to do; never contains the token.</param>
public sealed class CliException(int exitCode, string message) : Exception(message)
{
    /// <summary>The process exit code.</summary>
    public int ExitCode { get; } = exitCode;
}
