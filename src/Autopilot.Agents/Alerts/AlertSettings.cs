using Autopilot.Agents.Configuration;
using Autopilot.Platforms.GitHub;

namespace Autopilot.Agents.Alerts;

/// <summary>How Telegram alerts leave the autopilot.</summary>
public enum TelegramRoute
{
    /// <summary>Through the Bot API with the autopilot's own bot token.</summary>
    Direct,

    /// <summary>Through an n8n workflow's webhook, which holds the bot token.</summary>
    N8n,
}

/// <summary>Settings of the alerts worker (<c>autopilot.agents.alerts</c>).</summary>
/// <param name="StormWindow">Alerts of one fingerprint within this window are folded into one summary.</param>
/// <param name="MaxAttempts">Delivery attempts per channel before the alert is recorded as abandoned there.</param>
/// <param name="RetryBaseDelay">First retry delay; doubles per attempt.</param>
/// <param name="RetryMaxDelay">Cap on the retry delay (a longer Retry-After from the platform is honoured).</param>
/// <param name="TelegramRoute">Direct Bot API or an n8n webhook.</param>
/// <param name="TelegramChat">Chat id or <c>@channel</c> for direct delivery (empty: no Telegram channel).</param>
/// <param name="N8nWebhookPath">Webhook path of the relaying workflow when <paramref name="TelegramRoute"/> is n8n.</param>
/// <param name="IssueRepository">Repository for CRITICAL incident issues (null: no issue channel).</param>
/// <param name="IssueLabels">Labels of those issues.</param>
/// <param name="PersistenceId">Journal id of the outbox.</param>
public sealed record AlertSettings(
    TimeSpan StormWindow,
    int MaxAttempts,
    TimeSpan RetryBaseDelay,
    TimeSpan RetryMaxDelay,
    TelegramRoute TelegramRoute,
    string TelegramChat,
    string N8nWebhookPath,
    GitHubRepository? IssueRepository,
    IReadOnlyList<string> IssueLabels,
    string PersistenceId)
{
    /// <summary>The defaults (the values <see cref="FromConfig"/> uses for missing keys).</summary>
    public static AlertSettings Default { get; } = new(
        TimeSpan.FromMinutes(5), 6, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TelegramRoute.Direct, "", "", null, ["autopilot", "incident"], "alerts");

    /// <summary>The delay before attempt <paramref name="nextAttempt"/> (2 = first retry), at least <paramref name="retryAfter"/>.</summary>
    public TimeSpan RetryDelay(int nextAttempt, TimeSpan? retryAfter)
    {
        var exponential = RetryBaseDelay * Math.Pow(2, Math.Max(0, nextAttempt - 2));
        var delay = exponential > RetryMaxDelay ? RetryMaxDelay : exponential;
        return retryAfter is { } asked && asked > delay ? asked : delay;
    }

    /// <summary>Reads the <c>alerts</c> section; missing keys take the <see cref="Default"/> values.</summary>
    /// <exception cref="SettingException">A malformed key, named in the exception.</exception>
    public static AlertSettings FromConfig(ConfigSection alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        var d = Default;
        var route = (alerts.GetString("telegram.via", "direct") ?? "direct") switch
        {
            "direct" => TelegramRoute.Direct,
            "n8n" => TelegramRoute.N8n,
            var other => throw new SettingException(alerts.KeyOf("telegram.via"), $"\"{other}\" is not a Telegram route (direct or n8n)."),
        };
        var maxAttempts = alerts.GetIntAtLeast("max-attempts", 1, d.MaxAttempts);

        var repositoryText = alerts.GetString("issue-repository", "") ?? "";
        GitHubRepository? repository;
        try
        {
            repository = repositoryText.Length == 0 ? null : GitHubRepository.Parse(repositoryText);
        }
        catch (FormatException e)
        {
            throw new SettingException(alerts.KeyOf("issue-repository"), e.Message, e);
        }

        var webhook = alerts.GetString("telegram.n8n-webhook-path", "") ?? "";
        if (route == TelegramRoute.N8n && webhook.Length == 0)
        {
            throw new SettingException(alerts.KeyOf("telegram.n8n-webhook-path"), "telegram.via = n8n needs telegram.n8n-webhook-path.");
        }

        var baseDelay = alerts.GetPositiveTimeSpan("retry-base-delay", d.RetryBaseDelay);
        var maxDelay = alerts.GetPositiveTimeSpan("retry-max-delay", d.RetryMaxDelay);
        if (maxDelay < baseDelay)
        {
            throw new SettingException(alerts.KeyOf("retry-max-delay"), "must not be shorter than retry-base-delay.");
        }

        return new AlertSettings(
            alerts.GetPositiveTimeSpan("storm-window", d.StormWindow),
            maxAttempts,
            baseDelay,
            maxDelay,
            route,
            alerts.GetString("telegram.chat", "") ?? "",
            webhook,
            repository,
            alerts.GetStringList("issue-labels", d.IssueLabels),
            alerts.GetString("persistence-id", d.PersistenceId) ?? d.PersistenceId);
    }
}
