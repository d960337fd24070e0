using Akka.Configuration;
using Autopilot.Agents.Configuration;
using Autopilot.Agents.Orchestrator;
using Xunit;

namespace Autopilot.Agents.Tests.Migrations;

public sealed class MigrationsSettingsTests
{
    private const string Password = "s3cret-pw-4711";

    private static AgentsSettings Read(string target, string programs = "/usr/lib/postgresql/15/bin") =>
        AgentsSettings.FromConfig(ConfigurationFactory.ParseString($$"""
            autopilot.agents.migrations {
              client-programs = "{{programs}}"
              targets.app {
                {{target}}
              }
            }
            """));

    private const string Complete = $"""
        connection-string = "Host=db;Database=app;Username=app;Password={Password}"
        repository = "acme/api"
        folder = "/db/migrations/"
        backup-directory = "/var/backups/autopilot"
        backup-retention = 3d
        checks = ["SELECT true"]
        """;

    [Fact]
    public void A_target_is_read_with_its_defaults_and_never_prints_its_connection_string()
    {
        var target = Assert.Single(Read(Complete).Migrations!.Targets);

        Assert.Equal(("app", "acme/api", "main", "db/migrations", TimeSpan.FromDays(3), true),
            (target.Name, target.Repository.ToString(), target.Branch, target.Folder, target.BackupRetention, target.CheckAtStart));
        Assert.True(target.Touches("db/migrations/V1__a.sql"));
        Assert.False(target.Touches("db/migrations-old/V1__a.sql"));
        Assert.DoesNotContain(Password, target.ToString());
    }

    [Fact]
    public void Missing_client_programs_for_a_configured_target_stop_the_start_naming_the_key()
    {
        var error = Assert.Throws<SettingException>(() => Read(Complete, "/opt/nowhere/bin"));

        Assert.Equal("autopilot.agents.migrations.client-programs", error.Key);
        Assert.Contains("pg_dump and pg_restore not found in /opt/nowhere/bin", error.Message);
        // Without a target nothing is needed.
        Assert.Empty(AgentsSettings.FromConfig(ConfigurationFactory.ParseString("autopilot.agents.migrations.client-programs = \"/opt/nowhere/bin\"")).Migrations!.Targets);
    }

    [Theory]
    [InlineData("connection-string", "")]
    [InlineData("connection-string", "\"Host=db;Nonsense=1;Password=s3cret-pw-4711\"")]
    [InlineData("connection-string", "\"Host=db;Username=app;Password=s3cret-pw-4711\"")]
    [InlineData("repository", "\"not-a-repository\"")]
    [InlineData("folder", "\"/\"")]
    [InlineData("backup-retention", "0s")]
    public void A_bad_target_key_is_named_and_the_password_never_shown(string key, string value)
    {
        var lines = Complete.Split('\n').Where(l => !l.TrimStart().StartsWith(key + " ", StringComparison.Ordinal));
        var error = Assert.Throws<SettingException>(() => Read(string.Join('\n', lines) + $"\n{key} = {(value.Length == 0 ? "\"\"" : value)}"));

        Assert.Equal($"autopilot.agents.migrations.targets.app.{key}", error.Key);
        Assert.DoesNotContain(Password, error.ToString());
    }
}
