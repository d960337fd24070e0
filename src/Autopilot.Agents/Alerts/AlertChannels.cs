using Autopilot.Platforms.GitHub;
using Autopilot.Platforms.N8n;
using Autopilot.Platforms.Telegram;

namespace Autopilot.Agents.Alerts;

/// <summary>Builds the alert channels <see cref="AlertSettings"/> asks for from the clients the host has.</summary>
public static class AlertChannels
{
    /// <summary>
    /// The channels for <paramref name="settings"/>: Telegram directly (<paramref name="telegram"/> and a chat) or through
    /// the n8n webhook (<paramref name="n8n"/>), and GitHub issues when an issue repository is set.
    /// </summary>
    /// <exception cref="InvalidOperationException">The settings ask for a channel whose client was not supplied.</exception>
    public static IReadOnlyList<IAlertChannel> Create(AlertSettings settings, TelegramBotClient? telegram, N8nClient? n8n, IGitHubClient? github)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var channels = new List<IAlertChannel>();
        switch (settings.TelegramRoute)
        {
            case TelegramRoute.N8n:
                channels.Add(new N8nWebhookAlertChannel(
                    n8n ?? throw new InvalidOperationException("alerts.telegram.via = n8n needs an n8n client."), settings.N8nWebhookPath));
                break;
            case TelegramRoute.Direct when settings.TelegramChat.Length > 0:
                channels.Add(new TelegramAlertChannel(
                    telegram ?? throw new InvalidOperationException("alerts.telegram.chat is set but there is no Telegram bot client."),
                    TelegramChatId.Parse(settings.TelegramChat)));
                break;
        }

        if (settings.IssueRepository is { } repository)
        {
            channels.Add(new GitHubIssueAlertChannel(
                github ?? throw new InvalidOperationException("alerts.issue-repository is set but there is no GitHub client."), repository, settings.IssueLabels));
        }

        return channels;
    }
}
