using System.Text;
using Autopilot.Agents.Configuration;
using Autopilot.Platforms.GitHub;
using Autopilot.Platforms.PostgreSql;

namespace Autopilot.Agents.Migrations;

/// <summary>
/// Settings of the database migrations (<c>autopilot.agents.migrations</c>): the PostgreSQL client programs and the
/// target databases, each with its own worker. Read at start-up, so a missing pg_dump or connection string stops the
/// start naming the key instead of failing the first migration.
/// </summary>
/// <param name="ClientPrograms">Where pg_dump and pg_restore are (located; null when no target is configured).</param>
/// <param name="Targets">The target databases by name.</param>
public sealed record MigrationsSettings(PgClientTools? ClientPrograms, IReadOnlyList<MigrationTarget> Targets)
{
    /// <summary>Reads the <c>migrations</c> section.</summary>
    /// <exception cref="SettingException">A missing or malformed key, or missing client programs for a configured target; named in the exception.</exception>
    public static MigrationsSettings FromConfig(ConfigSection migrations)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        var targets = new List<MigrationTarget>();
        var section = migrations.GetConfig("targets");
        foreach (var name in section.Keys)
        {
            var key = section.KeyOf(ConfigSection.Quote(name));
            if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                throw new SettingException(key, $"target name \"{name}\" may only hold letters, digits, - and _ (it names the target's worker).");
            }

            var target = section.GetConfig(ConfigSection.Quote(name));
            var connectionString = target.GetString("connection-string", "") ?? "";
            if (connectionString.Trim().Length == 0)
            {
                throw new SettingException(target.KeyOf("connection-string"), $"target \"{name}\" has no connection string (set it from a secret, e.g. connection-string = ${{?APP_DATABASE_URL}}).");
            }

            try
            {
                PostgreSqlMigrationDatabase.PasswordOf(connectionString);
            }
            catch (FormatException e)
            {
                throw new SettingException(target.KeyOf("connection-string"), $"target \"{name}\": the connection string {e.Message}.", e);
            }

            GitHubRepository repository;
            try
            {
                repository = GitHubRepository.Parse(target.GetString("repository"));
            }
            catch (FormatException e)
            {
                throw new SettingException(target.KeyOf("repository"), e.Message, e);
            }

            var folder = target.GetString("folder").Trim('/');
            if (folder.Length == 0)
            {
                throw new SettingException(target.KeyOf("folder"), "must name the repository folder of the migration files.");
            }

            var backups = target.GetString("backup-directory").Trim();
            if (backups.Length == 0)
            {
                throw new SettingException(target.KeyOf("backup-directory"), "must name the directory pg_dump writes the backups to.");
            }

            var retention = target.GetTimeSpan("backup-retention");
            if (retention <= TimeSpan.Zero)
            {
                throw new SettingException(target.KeyOf("backup-retention"), "must be positive (e.g. 7d).");
            }

            targets.Add(new MigrationTarget(name, connectionString, repository, target.GetString("branch", "main") ?? "main", folder, Path.GetFullPath(backups), retention,
                target.GetStringList("checks", []), target.GetBoolean("check-at-start", true)));
        }

        PgClientTools? tools = null;
        var programs = migrations.GetString("client-programs");
        if (targets.Count > 0)
        {
            try
            {
                tools = PgClientTools.Locate(programs);
            }
            catch (Exception e) when (e is FileNotFoundException or ArgumentException)
            {
                throw new SettingException(migrations.KeyOf("client-programs"), e.Message, e);
            }
        }

        return new MigrationsSettings(tools, targets);
    }
}

/// <summary>One target database.</summary>
/// <param name="Name">The target's name (<c>autopilot migrate &lt;name&gt;</c>; its worker is <c>migrations-&lt;name&gt;</c>).</param>
/// <param name="ConnectionString">Npgsql connection string — a secret: never printed, logged or recorded.</param>
/// <param name="Repository">The repository holding the migration files.</param>
/// <param name="Branch">The watched branch: a push to it touching <paramref name="Folder"/> triggers a migration.</param>
/// <param name="Folder">The folder of the <c>V&lt;number&gt;__&lt;name&gt;.sql</c> files.</param>
/// <param name="BackupDirectory">Where pg_dump writes the backup taken before each migration.</param>
/// <param name="BackupRetention">Backups older than this are deleted after each new one.</param>
/// <param name="Checks">Verification queries, each must return <c>true</c> after the migration or it is rolled back.</param>
/// <param name="CheckAtStart">Whether the worker looks for pending files when it starts.</param>
public sealed record MigrationTarget(
    string Name, string ConnectionString, GitHubRepository Repository, string Branch, string Folder, string BackupDirectory, TimeSpan BackupRetention,
    IReadOnlyList<string> Checks, bool CheckAtStart)
{
    /// <summary>The service name the orchestrator's budget, incidents and alerts use for this target.</summary>
    public string Service => ServiceOf(Name);

    /// <summary>The service a target's actions count against (budget, one action at a time), by the target's name.</summary>
    public static string ServiceOf(string name) => $"database:{name}";

    /// <summary>Whether a changed path of a push is a migration of this target.</summary>
    public bool Touches(string path) => path.TrimStart('/').StartsWith(Folder + "/", StringComparison.Ordinal);

    private bool PrintMembers(StringBuilder builder)
    {
        // Records print every member; the connection string holds a password.
        builder.Append($"Name = {Name}, Repository = {Repository}, Branch = {Branch}, Folder = {Folder}, BackupDirectory = {BackupDirectory}, ");
        builder.Append($"BackupRetention = {BackupRetention}, Checks = {Checks.Count}, CheckAtStart = {CheckAtStart}");
        return true;
    }
}
