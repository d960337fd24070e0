using Autopilot.Actors;
using Autopilot.Actors.Configuration;
using Autopilot.Agents.Orchestrator;

namespace Autopilot.Daemon.Configuration;

/// <summary>
/// Builds the daemon's effective configuration: an operator's file (if any) over the embedded defaults of the daemon,
/// the agents and the runtime. Every layer resolves <c>${?ENV}</c> substitutions when parsed, so environment variables override
/// the defaults without a file.
/// </summary>
public static class DaemonConfiguration
{
    /// <summary>Resource name of the daemon's embedded <c>reference.conf</c>.</summary>
    public const string ReferenceResource = "Autopilot.Daemon.reference.conf";

    /// <summary>The embedded defaults (<c>autopilot.daemon.*</c>, <c>autopilot.http.*</c>, ...).</summary>
    /// <param name="options">Environment lookup; the process environment when null.</param>
    public static Config Reference(ConfigurationParseOptions? options = null) =>
        ConfigurationFactory.FromResource(typeof(DaemonConfiguration).Assembly, ReferenceResource, options);

    /// <summary>Loads the effective configuration.</summary>
    /// <param name="configFile">Path given with <c>--config</c>, or null for defaults only.</param>
    /// <param name="overrides">Configuration that wins over the file (e.g. the simulator's endpoints), or null.</param>
    /// <param name="options">Environment lookup; the process environment when null.</param>
    /// <exception cref="ConfigurationException">The file is missing or unreadable.</exception>
    /// <exception cref="HoconParseException">The file is not valid HOCON or a required substitution is missing.</exception>
    public static Config Load(string? configFile, Config? overrides = null, ConfigurationParseOptions? options = null)
    {
        var user = configFile is null ? Config.Empty : ConfigurationFactory.ParseFile(configFile, options);
        return (overrides ?? Config.Empty)
            .WithFallback(user)
            .WithFallback(Reference(options))
            .WithFallback(AgentsSettings.Reference)
            .WithFallback(ActorSystemSettings.Reference);
    }
}
