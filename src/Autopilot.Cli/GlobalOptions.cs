using System.CommandLine;
using Autopilot.Cli.Client;

namespace Autopilot.Cli;

/// <summary>Options every command understands: where the daemon is, which token, and table or JSON output.</summary>
public sealed class GlobalOptions
{
    /// <summary>Default daemon address (the daemon's default bind).</summary>
    public const string DefaultHost = "127.0.0.1:9110";

    /// <summary><c>--host</c>.</summary>
    public Option<string?> Host { get; } = new("--host")
    {
        Description = $"Daemon address (host:port or URL). Default: AUTOPILOT_HOST or {DefaultHost}.",
        Recursive = true,
    };

    /// <summary><c>--token</c>.</summary>
    public Option<string?> Token { get; } = new("--token")
    {
        Description = "Bearer token of the admin API. Default: AUTOPILOT_TOKEN.",
        Recursive = true,
    };

    /// <summary><c>--json</c>.</summary>
    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the daemon's JSON instead of tables (for scripts).",
        Recursive = true,
    };

    /// <summary>Adds the options to the root command.</summary>
    public void AddTo(RootCommand root)
    {
        root.Options.Add(Host);
        root.Options.Add(Token);
        root.Options.Add(Json);
    }

    /// <summary>A client for the chosen daemon and token.</summary>
    public DaemonClient Client(ParseResult parse, CliEnvironment environment)
    {
        var host = parse.GetValue(Host) ?? environment.Environment("AUTOPILOT_HOST") ?? DefaultHost;
        var token = parse.GetValue(Token) ?? environment.Environment("AUTOPILOT_TOKEN");
        return new DaemonClient(DaemonClient.ParseHost(host), string.IsNullOrWhiteSpace(token) ? null : token.Trim(), environment.Transport);
    }
}
