using Autopilot.Agents.Alerts;
using Autopilot.Agents.Configuration;

namespace Autopilot.Agents.Fallback;

/// <summary>Settings of the fallback router (<c>autopilot.agents.fallback</c>).</summary>
/// <param name="Tasks">Which task each workflow performs (workflow id or name → task name). Unmapped workflows are reported, never guessed.</param>
/// <param name="Tiers">The tiers, in the order they are tried.</param>
public sealed record FallbackSettings(IReadOnlyDictionary<string, string> Tasks, IReadOnlyList<FallbackTier> Tiers)
{
    /// <summary>Default attempt timeout of an <see cref="FallbackTierKind.Http"/> tier: a healthy endpoint answers at once.</summary>
    public static readonly TimeSpan DefaultHttpTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Default attempt timeout of a <see cref="FallbackTierKind.Command"/> tier: a local unit starts within seconds.</summary>
    public static readonly TimeSpan DefaultCommandTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Default attempt timeout of an <see cref="FallbackTierKind.N8n"/> tier: a whole workflow run.</summary>
    public static readonly TimeSpan DefaultN8nTimeout = TimeSpan.FromSeconds(30);

    /// <summary>No tasks, no tiers: every failure is reported as unrecoverable.</summary>
    public static FallbackSettings None { get; } = new(new Dictionary<string, string>(), []);

    /// <summary>The task of <paramref name="workflowId"/> (or of its <paramref name="workflowName"/>), or null when unmapped.</summary>
    public string? TaskOf(string workflowId, string? workflowName = null) =>
        Tasks.TryGetValue(workflowId, out var task) ? task
        : workflowName is not null && Tasks.TryGetValue(workflowName, out var byName) ? byName
        : null;

    /// <summary>
    /// Reads the <c>fallback</c> section: <c>tasks { workflow = task }</c>, <c>tiers { name { kind, url | command, timeout } }</c>
    /// and <c>order = [tier names]</c>. Missing sections mean none.
    /// </summary>
    /// <exception cref="SettingException">A malformed key, named in the exception.</exception>
    public static FallbackSettings FromConfig(ConfigSection fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        var tasks = new Dictionary<string, string>(StringComparer.Ordinal);
        if (fallback.HasPath("tasks"))
        {
            var tasksConfig = fallback.GetConfig("tasks");
            foreach (var workflow in tasksConfig.Keys)
            {
                var task = tasksConfig.GetString(Quote(workflow));
                if (string.IsNullOrWhiteSpace(task))
                {
                    throw new SettingException(tasksConfig.KeyOf(workflow), "a task name must not be empty.");
                }

                tasks[workflow] = task;
            }
        }

        var order = fallback.GetStringList("order", []);
        var tiersConfig = fallback.HasPath("tiers") ? fallback.GetConfig("tiers") : fallback.GetConfig("tiers");
        var tiers = new List<FallbackTier>();
        foreach (var name in order)
        {
            if (!tiersConfig.HasPath(Quote(name)))
            {
                throw new SettingException(fallback.KeyOf("order"), $"tier \"{name}\" is listed in order but not defined under tiers.");
            }

            tiers.Add(ReadTier(name, tiersConfig.GetConfig(Quote(name))));
        }

        return new FallbackSettings(tasks, tiers);
    }

    private static FallbackTier ReadTier(string name, ConfigSection tier)
    {
        var kindText = tier.GetString("kind");
        var kind = kindText switch
        {
            "http" => FallbackTierKind.Http,
            "command" => FallbackTierKind.Command,
            "n8n" => FallbackTierKind.N8n,
            _ => throw new SettingException(tier.KeyOf("kind"), $"unknown tier kind \"{kindText}\" (expected http, command or n8n)."),
        };
        var timeout = tier.GetPositiveTimeSpan("timeout", kind switch
        {
            FallbackTierKind.Http => DefaultHttpTimeout,
            FallbackTierKind.Command => DefaultCommandTimeout,
            _ => DefaultN8nTimeout,
        });

        Uri? url = null;
        IReadOnlyList<string> command = [];
        if (kind == FallbackTierKind.Command)
        {
            command = tier.GetStringList("command");
            if (command.Count == 0 || string.IsNullOrWhiteSpace(command[0]) || command[0].Contains('{', StringComparison.Ordinal))
            {
                throw new SettingException(tier.KeyOf("command"), "command must name an executable (without placeholders) followed by its arguments.");
            }
        }
        else
        {
            var text = tier.GetString("url");
            if (!Uri.TryCreate(text, UriKind.Absolute, out url) || url.Scheme is not ("http" or "https"))
            {
                throw new SettingException(tier.KeyOf("url"), "must be an absolute http(s) URL.");
            }
        }

        return new FallbackTier(name, kind, timeout, url, command);
    }

    private static string Quote(string key) => ConfigSection.Quote(key);
}
