namespace Autopilot.Daemon.Hosting;

/// <summary>What <c>autopilotd</c> was asked to do on its command line.</summary>
/// <param name="ConfigFile"><c>--config &lt;path&gt;</c>, or null.</param>
/// <param name="Simulate"><c>--simulate</c>: start the built-in platform fakes and use them.</param>
/// <param name="ShowHelp"><c>--help</c>.</param>
public sealed record DaemonCommandLine(string? ConfigFile, bool Simulate, bool ShowHelp)
{
    /// <summary>Usage text.</summary>
    public const string Usage = """
        Usage: autopilotd [--config <file.conf>] [--simulate]

          --config <path>  HOCON file over the built-in defaults (see hocon/autopilot.conf).
                           Environment variables named in it (${?VAR}) override it.
          --simulate       Run against built-in fakes of Railway, GitHub, n8n and Telegram,
                           seeded with a demo service whose next commit fails to build.
          --help           Show this text.

        With no options the daemon starts as a single node: SQLite journal under ./data,
        HTTP on 127.0.0.1:9110, platforms without credentials reported as not configured.
        """;

    /// <summary>Parses the arguments.</summary>
    /// <exception cref="ArgumentException">Unknown option or a missing value; the message says which.</exception>
    public static DaemonCommandLine Parse(IReadOnlyList<string> args)
    {
        string? config = null;
        var simulate = false;
        var help = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--config" or "-c":
                    if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        throw new ArgumentException($"{arg} needs a file path.");
                    }

                    config = args[++i];
                    break;
                case "--simulate":
                    simulate = true;
                    break;
                case "--help" or "-h" or "-?":
                    help = true;
                    break;
                default:
                    if (arg.StartsWith("--config=", StringComparison.Ordinal))
                    {
                        config = arg["--config=".Length..];
                        break;
                    }

                    throw new ArgumentException($"Unknown option '{arg}'.");
            }
        }

        return new DaemonCommandLine(config, simulate, help);
    }
}
