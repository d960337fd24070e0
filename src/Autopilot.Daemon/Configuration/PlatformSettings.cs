using Autopilot.Agents.Configuration;

namespace Autopilot.Daemon.Configuration;

/// <summary>
/// Endpoints and credentials of every platform (<c>autopilot.platforms.*</c>). A platform without credentials is not
/// an error: it is reported as "not configured" and its worker stays idle, so a newcomer can start with nothing.
/// </summary>
/// <param name="Railway">Railway.</param>
/// <param name="GitHub">GitHub.</param>
/// <param name="N8n">n8n.</param>
/// <param name="Telegram">Telegram.</param>
public sealed record PlatformSettings(RailwaySettings Railway, GitHubSettings GitHub, N8nSettings N8n, TelegramSettings Telegram)
{
    /// <summary>Every platform's status, in a fixed order (for /health, /api/status and the CLI).</summary>
    public IReadOnlyList<PlatformStatus> Statuses =>
    [
        Railway.Status, GitHub.Status, N8n.Status, Telegram.Status,
    ];

    /// <summary>Every secret the platforms use: its key and whether it resolved (never its value).</summary>
    public IReadOnlyList<SecretCheck> Secrets =>
    [
        new("autopilot.platforms.railway.api-token", "RAILWAY_API_TOKEN", Railway.ApiToken is not null),
        new("autopilot.platforms.railway.webhook-secret", "RAILWAY_WEBHOOK_SECRET", Railway.WebhookSecret is not null),
        new("autopilot.platforms.github.private-key-path", "GITHUB_APP_PRIVATE_KEY_PATH", GitHub.PrivateKeyPath is not null),
        new("autopilot.platforms.github.token", "GITHUB_TOKEN", GitHub.Token is not null),
        new("autopilot.platforms.github.webhook-secret", "GITHUB_WEBHOOK_SECRET", GitHub.WebhookSecret is not null),
        new("autopilot.platforms.n8n.api-key", "N8N_API_KEY", N8n.ApiKey is not null),
        new("autopilot.platforms.n8n.webhook-secret", "N8N_WEBHOOK_SECRET", N8n.WebhookSecret is not null),
        new("autopilot.platforms.telegram.bot-token", "TELEGRAM_BOT_TOKEN", Telegram.BotToken is not null),
        new("autopilot.platforms.telegram.webhook-secret", "TELEGRAM_WEBHOOK_SECRET", Telegram.WebhookSecret is not null),
    ];

    /// <summary>Every secret value, for the log redactor.</summary>
    public IEnumerable<string?> SecretValues =>
    [
        Railway.ApiToken, Railway.WebhookSecret, GitHub.Token, GitHub.WebhookSecret, N8n.ApiKey, N8n.WebhookSecret, Telegram.BotToken, Telegram.WebhookSecret,
    ];

    internal static PlatformSettings FromConfig(ConfigSection config) => new(
        RailwaySettings.FromConfig(config),
        GitHubSettings.FromConfig(config),
        N8nSettings.FromConfig(config),
        TelegramSettings.FromConfig(config));

    internal static Uri Address(ConfigSection config, string key)
    {
        var text = DaemonSettings.NonEmpty(config, key);
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new SettingException(key, $"is '{text}', but an absolute http(s) address was expected.");
    }
}

/// <summary>Whether a platform can be used, and if not, which keys are missing.</summary>
/// <param name="Platform">railway, github, n8n or telegram.</param>
/// <param name="Configured">True when its credentials are present.</param>
/// <param name="Detail">What is used, or which keys (and environment variables) to set.</param>
public sealed record PlatformStatus(string Platform, bool Configured, string Detail);

/// <summary>Whether one secret resolved; the value itself is never exposed.</summary>
/// <param name="Key">Configuration key.</param>
/// <param name="EnvironmentVariable">The environment variable the default configuration reads it from.</param>
/// <param name="Resolved">True when it has a value.</param>
public sealed record SecretCheck(string Key, string EnvironmentVariable, bool Resolved);

/// <summary>Railway (<c>autopilot.platforms.railway</c>).</summary>
/// <param name="Endpoint">GraphQL endpoint.</param>
/// <param name="ApiToken">API token, or null.</param>
/// <param name="WebhookSecret">Shared secret of webhooks, or null (webhooks refused).</param>
/// <param name="TokenKind">Account (Authorization: Bearer) or project token (Project-Access-Token header).</param>
public sealed record RailwaySettings(Uri Endpoint, string? ApiToken, string? WebhookSecret, Autopilot.Platforms.Railway.RailwayTokenKind TokenKind)
{
    /// <summary>Configured or not, and why.</summary>
    public PlatformStatus Status => ApiToken is null
        ? new("railway", false, "not configured: set autopilot.platforms.railway.api-token (RAILWAY_API_TOKEN)")
        : new("railway", true, $"configured ({Endpoint.Host})");

    /// <summary>Never prints secrets.</summary>
    public override string ToString() => $"RailwaySettings {{ Endpoint = {Endpoint}, Configured = {ApiToken is not null} }}";

    internal static RailwaySettings FromConfig(ConfigSection config)
    {
        const string kindKey = "autopilot.platforms.railway.token-kind";
        var kindText = DaemonSettings.NonEmpty(config, kindKey);
        var kind = kindText.ToLowerInvariant() switch
        {
            "account" => Autopilot.Platforms.Railway.RailwayTokenKind.Account,
            "project" => Autopilot.Platforms.Railway.RailwayTokenKind.Project,
            _ => throw new SettingException(kindKey, $"is '{kindText}', but account or project was expected."),
        };
        return new RailwaySettings(
            PlatformSettings.Address(config, "autopilot.platforms.railway.endpoint"),
            DaemonSettings.Optional(config, "autopilot.platforms.railway.api-token"),
            DaemonSettings.Optional(config, "autopilot.platforms.railway.webhook-secret"),
            kind);
    }
}

/// <summary>GitHub (<c>autopilot.platforms.github</c>).</summary>
/// <param name="ApiUrl">REST API base address.</param>
/// <param name="AppId">GitHub App id, or null.</param>
/// <param name="PrivateKeyPath">PEM file of the App's private key, or null.</param>
/// <param name="InstallationId">App installation id, or null.</param>
/// <param name="Token">Fine-grained token (alternative to an App), or null.</param>
/// <param name="WebhookSecret">Webhook secret, or null (webhooks refused).</param>
public sealed record GitHubSettings(Uri ApiUrl, string? AppId, string? PrivateKeyPath, long? InstallationId, string? Token, string? WebhookSecret)
{
    /// <summary>True when all three App settings are present.</summary>
    public bool UsesApp => AppId is not null && PrivateKeyPath is not null && InstallationId is not null;

    /// <summary>Configured or not, and why.</summary>
    public PlatformStatus Status => UsesApp
        ? new("github", true, $"configured (GitHub App {AppId}, installation {InstallationId})")
        : Token is not null
            ? new("github", true, "configured (token)")
            : new("github", false,
                "not configured: set app-id, private-key-path and installation-id (GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY_PATH, "
                + "GITHUB_APP_INSTALLATION_ID) or token (GITHUB_TOKEN) under autopilot.platforms.github");

    /// <summary>Never prints secrets.</summary>
    public override string ToString() => $"GitHubSettings {{ ApiUrl = {ApiUrl}, AppId = {AppId}, InstallationId = {InstallationId} }}";

    internal static GitHubSettings FromConfig(ConfigSection config)
    {
        const string installationKey = "autopilot.platforms.github.installation-id";
        var installation = DaemonSettings.Optional(config, installationKey);
        long? installationId = null;
        if (installation is not null)
        {
            installationId = long.TryParse(installation, out var id) && id > 0
                ? id
                : throw new SettingException(installationKey, $"must be a positive number.");
        }

        var appId = DaemonSettings.Optional(config, "autopilot.platforms.github.app-id");
        var keyPath = DaemonSettings.Optional(config, "autopilot.platforms.github.private-key-path");
        var anyApp = appId is not null || keyPath is not null || installationId is not null;
        if (anyApp && (appId is null || keyPath is null || installationId is null))
        {
            var missing = new[] { ("app-id", appId), ("private-key-path", keyPath), ("installation-id", installation) }
                .First(p => p.Item2 is null).Item1;
            var key = $"autopilot.platforms.github.{missing}";
            throw new SettingException(key, $"is missing: a GitHub App needs app-id, private-key-path and installation-id together.");
        }

        if (keyPath is not null && !File.Exists(keyPath))
        {
            const string key = "autopilot.platforms.github.private-key-path";
            throw new SettingException(key, $"names a file that does not exist or cannot be seen by the daemon: {keyPath}.");
        }

        return new GitHubSettings(
            PlatformSettings.Address(config, "autopilot.platforms.github.api-url"),
            appId, keyPath, installationId,
            DaemonSettings.Optional(config, "autopilot.platforms.github.token"),
            DaemonSettings.Optional(config, "autopilot.platforms.github.webhook-secret"));
    }
}

/// <summary>n8n (<c>autopilot.platforms.n8n</c>).</summary>
/// <param name="BaseUrl">Instance address, or null.</param>
/// <param name="ApiKey">Public API key, or null.</param>
/// <param name="WebhookSecret">Shared secret of callbacks, or null (callbacks refused).</param>
public sealed record N8nSettings(Uri? BaseUrl, string? ApiKey, string? WebhookSecret)
{
    /// <summary>Configured or not, and why.</summary>
    public PlatformStatus Status => BaseUrl is null || ApiKey is null
        ? new("n8n", false, "not configured: set autopilot.platforms.n8n.base-url and api-key (N8N_BASE_URL, N8N_API_KEY)")
        : new("n8n", true, $"configured ({BaseUrl.Host})");

    /// <summary>Never prints secrets.</summary>
    public override string ToString() => $"N8nSettings {{ BaseUrl = {BaseUrl}, Configured = {ApiKey is not null} }}";

    internal static N8nSettings FromConfig(ConfigSection config) => new(
        DaemonSettings.Optional(config, "autopilot.platforms.n8n.base-url") is null ? null : PlatformSettings.Address(config, "autopilot.platforms.n8n.base-url"),
        DaemonSettings.Optional(config, "autopilot.platforms.n8n.api-key"),
        DaemonSettings.Optional(config, "autopilot.platforms.n8n.webhook-secret"));
}

/// <summary>Telegram (<c>autopilot.platforms.telegram</c>).</summary>
/// <param name="ApiUrl">Bot API base address.</param>
/// <param name="BotToken">Bot token, or null.</param>
/// <param name="ChatId">Chat alerts (and approvals) go to, or null.</param>
/// <param name="Approvers">Telegram user ids allowed to press Approve / Reject (empty: nobody; the CLI still can decide).</param>
/// <param name="Updates">How button presses reach the daemon: by Telegram's webhook or by long polling (<c>getUpdates</c>).</param>
/// <param name="WebhookSecret">
/// The <c>secret_token</c> Telegram sends in <c>X-Telegram-Bot-Api-Secret-Token</c>; without it <c>/webhooks/telegram</c> refuses everything.
/// </param>
/// <param name="WebhookUrl">The daemon's public address of <c>/webhooks/telegram</c>: when set, the daemon calls <c>setWebhook</c> at start; null: set by the operator.</param>
/// <param name="PollTimeout">Long-polling wait of one <c>getUpdates</c> call (updates = polling).</param>
public sealed record TelegramSettings(
    Uri ApiUrl, string? BotToken, string? ChatId, IReadOnlySet<long> Approvers, TelegramUpdates Updates, string? WebhookSecret, Uri? WebhookUrl, TimeSpan PollTimeout)
{
    /// <summary>Configured or not, and why.</summary>
    public PlatformStatus Status => BotToken is null || ChatId is null
        ? new("telegram", false, "not configured: set autopilot.platforms.telegram.bot-token and chat-id (TELEGRAM_BOT_TOKEN, TELEGRAM_CHAT_ID)")
        : new("telegram", true, $"configured (chat id set, {Approvers.Count} approver(s), updates by {Updates.ToString().ToLowerInvariant()})");

    /// <summary>Never prints secrets, nor the chat id (who receives the alerts is not shown anywhere).</summary>
    public override string ToString() =>
        $"TelegramSettings {{ ApiUrl = {ApiUrl}, ChatId = {(ChatId is null ? "unset" : "***")}, Approvers = {Approvers.Count}, Updates = {Updates} }}";

    internal static TelegramSettings FromConfig(ConfigSection config)
    {
        const string updatesKey = "autopilot.platforms.telegram.updates";
        var updatesText = DaemonSettings.NonEmpty(config, updatesKey);
        var updates = updatesText.ToLowerInvariant() switch
        {
            "webhook" => TelegramUpdates.Webhook,
            "polling" => TelegramUpdates.Polling,
            _ => throw new SettingException(updatesKey, $"is '{updatesText}', but webhook or polling was expected."),
        };
        const string urlKey = "autopilot.platforms.telegram.webhook-url";
        var url = DaemonSettings.Optional(config, urlKey) is null ? null : PlatformSettings.Address(config, urlKey);
        var secret = DaemonSettings.Optional(config, "autopilot.platforms.telegram.webhook-secret");
        if (secret is not null && (secret.Length > 256 || !secret.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')))
        {
            // Telegram's own rule for secret_token; the message does not echo the secret.
            throw new SettingException("autopilot.platforms.telegram.webhook-secret", "must be 1-256 characters of A-Z, a-z, 0-9, _ and -.");
        }

        if (url is not null && secret is null)
        {
            throw new SettingException("autopilot.platforms.telegram.webhook-secret", "is required when webhook-url is set (Telegram must prove its deliveries).");
        }

        return new TelegramSettings(
            PlatformSettings.Address(config, "autopilot.platforms.telegram.api-url"),
            DaemonSettings.Optional(config, "autopilot.platforms.telegram.bot-token"),
            DaemonSettings.Optional(config, "autopilot.platforms.telegram.chat-id"),
            ReadApprovers(config),
            updates,
            secret,
            url,
            config.GetPositiveTimeSpan("autopilot.platforms.telegram.poll-timeout"));
    }

    /// <summary>A list of numbers, or (from <c>TELEGRAM_APPROVERS</c>) one comma-separated string of them.</summary>
    private static IReadOnlySet<long> ReadApprovers(ConfigSection config)
    {
        const string key = "autopilot.platforms.telegram.approvers";
        IReadOnlyList<string> items;
        try
        {
            items = config.GetStringList(key);
        }
        catch (SettingException)
        {
            items = config.GetString(key).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        var approvers = new HashSet<long>();
        foreach (var item in items)
        {
            if (!long.TryParse(item, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) || id <= 0)
            {
                throw new SettingException(key, $"holds '{item}', but Telegram user ids (positive numbers) were expected.");
            }

            approvers.Add(id);
        }

        return approvers;
    }
}

/// <summary>How Telegram updates (approval button presses) reach the daemon.</summary>
public enum TelegramUpdates
{
    /// <summary>Telegram POSTs them to <c>/webhooks/telegram</c> (the daemon has a public address).</summary>
    Webhook,

    /// <summary>The daemon asks with <c>getUpdates</c> (long polling), for a daemon Telegram cannot reach.</summary>
    Polling,
}
