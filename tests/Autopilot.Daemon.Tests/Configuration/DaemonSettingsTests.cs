using Autopilot.Agents.Configuration;
using Autopilot.Daemon.Configuration;

namespace Autopilot.Daemon.Tests.Configuration;

public sealed class DaemonSettingsTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    private static DaemonSettings Load(string? hocon = null, Func<string, string?>? env = null) =>
        DaemonSettings.FromConfig(DaemonConfiguration.Load(null, hocon, env ?? NoEnvironment), "/srv/autopilot");

    [Fact]
    public void With_no_configuration_at_all_it_is_a_single_node_on_sqlite_under_data_on_loopback()
    {
        var settings = Load();

        Assert.Equal("sqlite", settings.Journal.Plugin);
        Assert.Equal("/srv/autopilot/data", settings.DataDirectory);
        Assert.Equal("Data Source=/srv/autopilot/data/autopilot.db", settings.Journal.ConnectionString);
        Assert.Equal("127.0.0.1", settings.Http.Host);
        Assert.Equal(9110, settings.Http.Port);
        Assert.Empty(settings.ApiTokens);
        Assert.All(settings.Platforms.Statuses, p => Assert.False(p.Configured));
        Assert.Contains(settings.Platforms.Statuses, p => p.Platform == "railway" && p.Detail.Contains("RAILWAY_API_TOKEN"));
    }

    [Fact]
    public void Environment_variables_override_the_defaults()
    {
        var env = new Dictionary<string, string>
        {
            ["AUTOPILOT_HTTP_PORT"] = "9200",
            ["RAILWAY_API_TOKEN"] = "rw-token-123456",
            ["AUTOPILOT_ADMIN_TOKEN"] = "an-admin-token-long-enough",
            ["TELEGRAM_BOT_TOKEN"] = "123:abc",
            ["TELEGRAM_CHAT_ID"] = "-100200",
        };

        var settings = Load(env: name => env.GetValueOrDefault(name));

        Assert.Equal(9200, settings.Http.Port);
        Assert.True(settings.Platforms.Railway.Status.Configured);
        Assert.True(settings.Platforms.Telegram.Status.Configured);
        Assert.False(settings.Platforms.GitHub.Status.Configured);
        var token = Assert.Single(settings.ApiTokens);
        Assert.Equal(("admin", ApiRole.Admin), (token.Name, token.Role));
    }

    [Fact]
    public void A_configuration_file_overrides_the_defaults_and_environment_substitutions_inside_it_resolve()
    {
        var file = Path.Combine(Path.GetTempPath(), $"autopilot-{Guid.NewGuid():N}.conf");
        File.WriteAllText(file, """
            autopilot.http.port = 9300
            autopilot.platforms.github.token = ${?MY_GH_TOKEN}
            """);
        try
        {
            var settings = DaemonSettings.FromConfig(DaemonConfiguration.Load(file, null, n => n == "MY_GH_TOKEN" ? "ghp_exampletoken" : null));

            Assert.Equal(9300, settings.Http.Port);
            Assert.Equal("configured (token)", settings.Platforms.GitHub.Status.Detail);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("autopilot.http.port = lots", "autopilot.http.port")]
    [InlineData("autopilot.http.port = 70000", "autopilot.http.port")]
    [InlineData("autopilot.persistence.journal.plugin = mongodb", "autopilot.persistence.journal.plugin")]
    [InlineData("autopilot.persistence.journal.plugin = postgresql", "autopilot.persistence.journal.postgresql.connection-string")]
    [InlineData("autopilot.api.tokens.ci { role = superuser, token = \"0123456789abcdef0123\" }", "autopilot.api.tokens.ci.role")]
    [InlineData("autopilot.api.tokens.ci { role = viewer, token = short }", "autopilot.api.tokens.ci.token")]
    [InlineData("autopilot.platforms.github.app-id = \"123\"", "autopilot.platforms.github.private-key-path")]
    [InlineData("autopilot.platforms.n8n.base-url = \"not a url\"", "autopilot.platforms.n8n.base-url")]
    [InlineData("autopilot.platforms.github { app-id = \"1\", installation-id = \"2\", private-key-path = \"/nonexistent/app.pem\" }", "autopilot.platforms.github.private-key-path")]
    [InlineData("autopilot.platforms.railway.token-kind = personal", "autopilot.platforms.railway.token-kind")]
    [InlineData("autopilot.daemon.shutdown-timeout = 0s", "autopilot.daemon.shutdown-timeout")]
    [InlineData("autopilot.platforms.telegram.updates = carrier-pigeon", "autopilot.platforms.telegram.updates")]
    [InlineData("autopilot.platforms.telegram.approvers = [alice]", "autopilot.platforms.telegram.approvers")]
    [InlineData("autopilot.platforms.telegram.webhook-secret = \"has spaces\"", "autopilot.platforms.telegram.webhook-secret")]
    [InlineData("autopilot.platforms.telegram.webhook-url = \"https://ops.example.com/webhooks/telegram\"", "autopilot.platforms.telegram.webhook-secret")]
    public void An_invalid_value_fails_the_start_with_an_error_naming_the_key(string hocon, string key)
    {
        var error = Assert.Throws<SettingException>(() => Load(hocon));

        Assert.Equal(key, error.Key);
        Assert.StartsWith(key, error.Message);
    }

    [Fact]
    public void Telegram_approvers_come_from_a_list_or_from_TELEGRAM_APPROVERS_and_the_webhook_secret_is_a_secret()
    {
        Func<string, string?> env = n => n switch { "TELEGRAM_APPROVERS" => "111, 222", "TELEGRAM_WEBHOOK_SECRET" => "s3cret-token_x", _ => null };

        var fromList = Load("autopilot.platforms.telegram.approvers = [42, 43]").Platforms.Telegram;
        var fromEnvironment = Load(null, env).Platforms.Telegram;

        Assert.Equal([42L, 43L], fromList.Approvers.Order());
        Assert.Equal(TelegramUpdates.Webhook, fromList.Updates);
        Assert.Equal([111L, 222L], fromEnvironment.Approvers.Order());
        Assert.Equal("s3cret-token_x", fromEnvironment.WebhookSecret);
        Assert.Contains("s3cret-token_x", Load(null, env).Platforms.SecretValues);
        Assert.DoesNotContain("s3cret-token_x", fromEnvironment.ToString());
        Assert.Empty(Load().Platforms.Telegram.Approvers);
    }

    [Fact]
    public void The_telegram_chat_is_configured_once_and_reaches_the_alerts_worker_unless_set_there()
    {
        Func<string, string?> env = n => n == "TELEGRAM_CHAT_ID" ? "-100123" : null;
        const string explicitChat = "autopilot.agents.alerts.telegram.chat = \"@ops\"";

        Assert.Equal("-100123", DaemonConfiguration.Load(null, null, env).GetString(DaemonConfiguration.AgentsTelegramChatKey));
        Assert.Equal("@ops", DaemonConfiguration.Load(null, explicitChat, env).GetString(DaemonConfiguration.AgentsTelegramChatKey));
        Assert.Equal("", DaemonConfiguration.Load(null, null, NoEnvironment).GetString(DaemonConfiguration.AgentsTelegramChatKey));
    }

    [Fact]
    public void A_bad_agents_setting_fails_the_daemon_build_naming_the_key()
    {
        var error = Assert.Throws<SettingException>(() => Autopilot.Daemon.Hosting.DaemonHost.Build(new Autopilot.Daemon.Hosting.DaemonHostOptions
        {
            Overrides = "autopilot.agents.policy.build-failed = [pray]",
            EnvironmentVariables = _ => null,
            OrchestratorFactory = (_, _) => throw new InvalidOperationException("not reached"),
            LogOutput = TextWriter.Null,
        }));

        Assert.Contains("build-failed", error.Key);
        Assert.StartsWith(error.Key, error.Message);
    }

    [Fact]
    public void Errors_and_ToString_never_show_secret_values()
    {
        var settings = Load("""
            autopilot.platforms.railway.api-token = "rw-secret-value-42"
            autopilot.api.tokens.ci { role = viewer, token = "viewer-secret-value-0123" }
            autopilot.persistence.journal { plugin = postgresql, postgresql.connection-string = "Host=db;Password=pg-secret-99" }
            """);

        var text = settings.ToString();
        Assert.DoesNotContain("rw-secret-value-42", text);
        Assert.DoesNotContain("viewer-secret-value-0123", text);
        Assert.DoesNotContain("pg-secret-99", text);
        Assert.Contains(settings.Platforms.Secrets, s => s.Key.EndsWith("railway.api-token") && s.Resolved);
    }

    [Fact]
    public void The_example_configuration_loads_and_reads_every_secret_from_the_environment()
    {
        var file = RepositoryFile("hocon/autopilot.conf");
        var env = new Dictionary<string, string>
        {
            ["AUTOPILOT_ADMIN_TOKEN"] = "example-admin-token-0123456789",
            ["AUTOPILOT_ONCALL_TOKEN"] = "example-oncall-token-0123456789",
            ["RAILWAY_API_TOKEN"] = "rw-example",
            ["GITHUB_TOKEN"] = "ghp_example",
            ["N8N_BASE_URL"] = "https://n8n.example.com",
            ["N8N_API_KEY"] = "n8n-example",
            ["TELEGRAM_BOT_TOKEN"] = "1:example",
            ["TELEGRAM_CHAT_ID"] = "-1001",
        };
        Func<string, string?> options = name => env.GetValueOrDefault(name);

        var settings = DaemonSettings.FromConfig(DaemonConfiguration.Load(file, null, options));
        var bare = DaemonSettings.FromConfig(DaemonConfiguration.Load(file, null, NoEnvironment));

        Assert.Equal("autopilot-prod-1", settings.NodeName);
        Assert.Equal("my-org/operations", Autopilot.Agents.Orchestrator.AgentsSettings.FromConfig(DaemonConfiguration.Load(file, null, options)).GitHub.IncidentRepository?.ToString());
        Assert.All(settings.Platforms.Statuses, p => Assert.True(p.Configured, p.Platform));
        Assert.Equal(["admin", "oncall"], settings.ApiTokens.Select(t => t.Name).ToArray());
        Assert.Equal(ApiRole.Operator, settings.ApiTokens.Single(t => t.Name == "oncall").Role);
        Assert.All(bare.Platforms.Statuses, p => Assert.False(p.Configured, p.Platform));
        Assert.Empty(bare.ApiTokens);
    }

    private static string RepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(relative);
    }
}
