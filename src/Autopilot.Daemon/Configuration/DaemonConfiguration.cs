using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Autopilot.Agents.Configuration;
using Autopilot.Agents.Orchestrator;

namespace Autopilot.Daemon.Configuration;

/// <summary>
/// Builds the daemon's effective configuration with Akka's HOCON parser: overrides (the simulator's endpoints, a
/// test's settings) over an operator's file (if any) over the embedded defaults of the daemon and of the agents.
/// Every layer is parsed on its own and resolves its <c>${?ENV}</c> substitutions when parsed, so environment
/// variables override the defaults without a file.
/// </summary>
/// <remarks>
/// Optional environment substitutions (<c>key = ${?VAR}</c>) are resolved by the daemon before Akka's parser sees the
/// text, from the process environment or from the lookup an embedder or a test passes: a set variable becomes the
/// value as a quoted string; for an unset one the assignment is dropped, so the key keeps its earlier value as the
/// HOCON specification says (Akka 1.5's parser instead leaves such a key empty, which would erase the default written
/// on the line before). Other substitutions (<c>${path}</c>) are left to Akka's parser.
/// </remarks>
public static partial class DaemonConfiguration
{
    /// <summary>Resource name of the daemon's embedded <c>reference.conf</c>.</summary>
    public const string ReferenceResource = "Autopilot.Daemon.reference.conf";

    /// <summary>Resource name of the agents' embedded <c>reference.conf</c>.</summary>
    public const string AgentsReferenceResource = "Autopilot.Agents.reference.conf";

    /// <summary>Key of the chat the alerts worker sends to.</summary>
    public const string AgentsTelegramChatKey = "autopilot.agents.alerts.telegram.chat";

    /// <summary>The daemon's embedded defaults (<c>autopilot.daemon.*</c>, <c>autopilot.http.*</c>, read-journal tuning, ...).</summary>
    /// <param name="environment">Environment lookup for <c>${?VAR}</c>; Akka's (the process environment) when null.</param>
    public static Config Reference(Func<string, string?>? environment = null) =>
        Parse(ReadResource(typeof(DaemonConfiguration).Assembly, ReferenceResource), "<autopilotd reference.conf>", environment);

    /// <summary>The agents' embedded defaults (<c>autopilot.agents.*</c>).</summary>
    /// <param name="environment">Environment lookup for <c>${?VAR}</c>; Akka's (the process environment) when null.</param>
    public static Config AgentsReference(Func<string, string?>? environment = null) =>
        Parse(ReadResource(typeof(AgentsSettings).Assembly, AgentsReferenceResource), "<agents reference.conf>", environment);

    /// <summary>Loads the effective configuration.</summary>
    /// <param name="configFile">Path given with <c>--config</c>, or null for defaults only.</param>
    /// <param name="overrides">HOCON that wins over the file (e.g. the simulator's endpoints), or null.</param>
    /// <param name="environment">Environment lookup for <c>${?VAR}</c>; the process environment when null.</param>
    /// <exception cref="SettingException">The file is missing or unreadable (key <c>--config</c>).</exception>
    /// <exception cref="ConfigurationException">A layer is not valid HOCON.</exception>
    public static Config Load(string? configFile, string? overrides = null, Func<string, string?>? environment = null)
    {
        var user = Config.Empty;
        if (configFile is not null)
        {
            string text;
            try
            {
                text = File.ReadAllText(configFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new SettingException("--config", $"cannot read '{configFile}': {e.Message}", e);
            }

            user = Parse(text, configFile, environment);
        }

        var layers = new List<Config>();
        if (!string.IsNullOrWhiteSpace(overrides))
        {
            layers.Add(Parse(overrides, "<overrides>", environment));
        }

        if (!user.IsEmpty)
        {
            layers.Add(user);
        }

        layers.Add(Reference(environment));
        layers.Add(AgentsReference(environment));
        var merged = layers[0];
        foreach (var layer in layers.Skip(1))
        {
            merged = merged.WithFallback(layer);
        }

        return WithTelegramChat(merged);
    }

    /// <summary>
    /// Parses one HOCON document with Akka's parser after resolving its optional environment substitutions from
    /// <paramref name="environment"/> (the process environment when null).
    /// </summary>
    public static Config Parse(string text, string origin, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        environment ??= Environment.GetEnvironmentVariable;
        // First drop assignments of unset variables (with the comma that joined them to a neighbour on one line)...
        text = OptionalAssignment().Replace(text, match =>
            environment(match.Groups["name"].Value) is null ? "" : match.Value);
        // ...then put the value of every set one in place.
        text = OptionalSubstitution().Replace(text, match =>
            environment(match.Groups["name"].Value) is { } value ? JsonSerializer.Serialize(value) : match.Value);

        try
        {
            return ConfigurationFactory.ParseString(text);
        }
        catch (Exception e) when (e is not ConfigurationException and not OutOfMemoryException)
        {
            throw new ConfigurationException($"{origin}: {e.Message}", e);
        }
    }

    /// <summary>
    /// The Telegram chat is configured once, with the platform's credentials (<c>autopilot.platforms.telegram.chat-id</c>,
    /// <c>TELEGRAM_CHAT_ID</c>); it becomes the alerts worker's chat unless that is set explicitly.
    /// </summary>
    private static Config WithTelegramChat(Config merged)
    {
        var platforms = new ConfigSection(merged, "autopilot.platforms.telegram");
        var agents = new ConfigSection(merged, "autopilot.agents.alerts.telegram");
        var chat = platforms.GetString("chat-id", null);
        if (string.IsNullOrWhiteSpace(chat) || !string.IsNullOrEmpty(agents.GetString("chat", null)))
        {
            return merged;
        }

        return ConfigurationFactory.ParseString($"{AgentsTelegramChatKey} = {JsonSerializer.Serialize(chat.Trim())}").WithFallback(merged);
    }

    private static string ReadResource(System.Reflection.Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource {name} is missing from {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"\$\{\?\s*(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*\}")]
    private static partial Regex OptionalSubstitution();

    [GeneratedRegex(@"(,[ \t]*)?(?<key>[A-Za-z0-9_\-.""]+)[ \t]*[=:][ \t]*\$\{\?\s*(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*\}")]
    private static partial Regex OptionalAssignment();
}
