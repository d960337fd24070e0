using Akka.Configuration;
using Autopilot.Agents.Configuration;
using Serilog.Events;

namespace Autopilot.Daemon.Logging;

/// <summary>
/// <c>autopilot.logging</c>: the minimum level and the per-source overrides (logger-name prefixes, e.g.
/// <c>"Microsoft.AspNetCore" = Warning</c>) of the daemon's Serilog pipeline.
/// </summary>
public sealed record DaemonLoggingSettings(LogEventLevel Level, IReadOnlyDictionary<string, LogEventLevel> Overrides)
{
    /// <summary>The section's path.</summary>
    public const string Section = "autopilot.logging";

    /// <summary>The defaults of <c>reference.conf</c> (for hosts that build the logger without configuration).</summary>
    public static DaemonLoggingSettings Default { get; } = new(LogEventLevel.Information, new Dictionary<string, LogEventLevel>(StringComparer.Ordinal)
    {
        ["Microsoft"] = LogEventLevel.Warning,
        ["Microsoft.AspNetCore"] = LogEventLevel.Warning,
        ["Microsoft.Hosting.Lifetime"] = LogEventLevel.Information,
    });

    /// <summary>Reads the section.</summary>
    /// <exception cref="SettingException">A level is not one of Serilog's (the key is named).</exception>
    public static DaemonLoggingSettings FromConfig(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var levelKey = Section + ".level";
        var level = config.HasPath(levelKey) ? ParseLevel(levelKey, config.GetString(levelKey)) : Default.Level;
        var overrides = new Dictionary<string, LogEventLevel>(StringComparer.Ordinal);
        var overridesKey = Section + ".overrides";
        if (config.HasPath(overridesKey))
        {
            var node = config.GetValue(overridesKey);
            if (!node.IsObject())
            {
                throw new SettingException(overridesKey, "must be an object of source = level, e.g. { \"Microsoft.AspNetCore\" = Warning }.");
            }

            Collect(node.GetObject(), "", overridesKey, overrides);
        }
        else
        {
            foreach (var (source, sourceLevel) in Default.Overrides)
            {
                overrides[source] = sourceLevel;
            }
        }

        return new DaemonLoggingSettings(level, overrides);
    }

    // Unquoted dotted names (Microsoft.AspNetCore = Warning) nest in HOCON: flatten them back into prefixes.
    private static void Collect(Akka.Configuration.Hocon.HoconObject node, string prefix, string key, Dictionary<string, LogEventLevel> into)
    {
        foreach (var (name, value) in node.Items)
        {
            var source = prefix.Length == 0 ? name : prefix + "." + name;
            if (value.IsObject())
            {
                Collect(value.GetObject(), source, key, into);
            }
            else
            {
                into[source] = ParseLevel($"{key}.\"{source}\"", value.GetString());
            }
        }
    }

    private static LogEventLevel ParseLevel(string key, string? text) =>
        text?.Trim().ToUpperInvariant() switch
        {
            "VERBOSE" or "TRACE" => LogEventLevel.Verbose,
            "DEBUG" => LogEventLevel.Debug,
            "INFORMATION" or "INFO" => LogEventLevel.Information,
            "WARNING" or "WARN" => LogEventLevel.Warning,
            "ERROR" => LogEventLevel.Error,
            "FATAL" or "CRITICAL" => LogEventLevel.Fatal,
            _ => throw new SettingException(key, $"is '{text}', but one of Verbose, Debug, Information, Warning, Error, Fatal was expected."),
        };
}
