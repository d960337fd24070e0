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
        var merged = (overrides ?? Config.Empty)
            .WithFallback(user)
            .WithFallback(Reference(options))
            .WithFallback(AgentsSettings.Reference)
            .WithFallback(ActorSystemSettings.Reference);
        return WithTelegramChat(merged);
    }

    /// <summary>Key of the chat the alerts worker sends to.</summary>
    public const string AgentsTelegramChatKey = "autopilot.agents.alerts.telegram.chat";

    /// <summary>
    /// The Telegram chat is configured once, with the platform's credentials (<c>autopilot.platforms.telegram.chat-id</c>,
    /// <c>TELEGRAM_CHAT_ID</c>); it becomes the alerts worker's chat unless that is set explicitly.
    /// </summary>
    private static Config WithTelegramChat(Config merged)
    {
        var chat = merged.GetString("autopilot.platforms.telegram.chat-id", null);
        if (string.IsNullOrWhiteSpace(chat) || !string.IsNullOrEmpty(merged.GetString(AgentsTelegramChatKey, null)))
        {
            return merged;
        }

        var quoted = System.Text.Json.JsonSerializer.Serialize(chat.Trim());
        return ConfigurationFactory.ParseString($"{AgentsTelegramChatKey} = {quoted}", "<autopilot.platforms.telegram.chat-id>").WithFallback(merged);
    }
}
