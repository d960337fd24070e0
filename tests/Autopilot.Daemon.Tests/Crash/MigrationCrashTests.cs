using System.Net.Http.Headers;
using System.Text.Json;
using Autopilot.Daemon.Tests.Fixtures;
using Autopilot.Daemon.Tests.Persistence;
using Autopilot.Platforms.PostgreSql;
using Autopilot.Simulator.GitHub;
using Autopilot.Testing.PostgreSql;
using Npgsql;

namespace Autopilot.Daemon.Tests.Crash;

/// <summary>
/// SIGKILL of <c>autopilotd</c> while a migration file is inside its transaction, then a restart on the same journal:
/// the migrations worker reports where it stopped and applies nothing twice. The daemon reads the files from a GitHub
/// fake in this process and migrates a database of the throwaway PostgreSQL with the real pg_dump.
/// </summary>
[Collection(DaemonPostgresCollection.Name)]
public sealed class MigrationCrashTests(ThrowawayPostgres server)
{
    private const string Token = "migration-crash-admin-token-0123456789";
    private const string GitHubToken = "ghp_migrationcrash0123456789abcdef";

    [Fact]
    public async Task Killed_mid_migration_the_restarted_daemon_reports_where_it_stopped_and_applies_nothing_twice()
    {
        var database = await server.CreateDatabaseAsync("migration_crash");
        await ExecuteAsync(database, "CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL)");
        await using var github = new GitHubFake(TimeProvider.System);
        await github.StartAsync();
        github.AddPersonalToken(GitHubToken);
        github.AddRepository("acme", "api");
        github.AddFile("acme", "api", "db/migrations/V1__create_orders.sql", "CREATE TABLE orders (id int);");
        // V2 waits on an advisory lock this test holds, inside its transaction, after V1 committed.
        github.AddFile("acme", "api", "db/migrations/V2__add_customer.sql", "INSERT INTO customers VALUES (500, 'late@example.com');\nSELECT pg_advisory_xact_lock(42);");
        github.PushCommit("acme", "api", "main", "migrations", [new GitHubFakeFileChange("db/migrations/V1__create_orders.sql", null, "added")]);
        await using var holder = new NpgsqlConnection(database);
        await holder.OpenAsync();
        await ScalarAsync(holder, "SELECT pg_advisory_lock(42)");

        var directory = Path.Combine(Path.GetTempPath(), "autopilot-migration-crash", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "autopilot.conf");
        await File.WriteAllTextAsync(config, $$"""
            autopilot.platforms.github { api-url = "{{github.BaseAddress}}", token = "{{GitHubToken}}" }
            autopilot.agents.migrations.targets.app {
              connection-string = {{JsonSerializer.Serialize(database)}}
              repository = "acme/api"
              folder = "db/migrations"
              backup-directory = {{JsonSerializer.Serialize(Path.Combine(directory, "backups"))}}
              backup-retention = 7d
            }
            """);
        var environment = new Dictionary<string, string> { ["AUTOPILOT_ADMIN_TOKEN"] = Token };
        string[] arguments = ["--config", config];
        try
        {
            using (var daemon = await DaemonProcess.StartAsync(environment, directory, what: "the first start", arguments: arguments))
            {
                // The start-up check finds both files; V1 commits, V2 waits for the lock inside its transaction.
                await UntilAsync(async () => await ScalarAsync(holder,
                    $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{PostgreSqlMigrationDatabase.ApplicationName}' AND wait_event_type = 'Lock'") is 1L,
                    "V2 waiting inside its transaction", daemon);
                daemon.Signal(9);
                await daemon.ExitedAsync();
            }

            Assert.Equal(new long[] { 1 }, await VersionsAsync(holder));
            await ScalarAsync(holder, "SELECT pg_advisory_unlock(42)");

            using (var restarted = await DaemonProcess.StartAsync(environment, directory, what: "the restart after SIGKILL", arguments: arguments))
            {
                await UntilAsync(async () => (await VersionsAsync(holder)).Length == 2, "V2 applied after the restart", restarted);
                restarted.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
                string audit = "";
                await UntilAsync(async () =>
                {
                    audit = await restarted.Client.GetStringAsync("/api/audit?tag=database&limit=500");
                    return audit.Contains("V2__add_customer.sql had not committed", StringComparison.Ordinal)
                           && audit.Contains("applied (checksum", StringComparison.Ordinal);
                }, "the settled step in the audit trail", restarted);

                using var records = JsonDocument.Parse(audit);
                var events = Records(records.RootElement).Select(r => r.GetProperty("event")).ToArray();
                Assert.Contains(events, e => e.TryGetProperty("interrupted", out var i) && i.GetBoolean() && e.GetProperty("file").GetString() == "V2__add_customer.sql");
                Assert.Single(events, e => e.TryGetProperty("step", out var s) && s.GetString() == "apply" && !e.TryGetProperty("succeeded", out _)
                                           && e.GetProperty("file").GetString() == "V1__create_orders.sql");
                Assert.DoesNotContain(restarted.Log, line => line.Contains(server.Password, StringComparison.Ordinal));
            }

            Assert.Equal(1L, await ScalarAsync(holder, "SELECT count(*) FROM customers WHERE id = 500"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static IEnumerable<JsonElement> Records(JsonElement root) =>
        root.ValueKind == JsonValueKind.Array ? root.EnumerateArray()
        : root.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Array).SelectMany(p => p.Value.EnumerateArray());

    private static Task UntilAsync(Func<Task<bool>> condition, string what, DaemonProcess daemon) =>
        Poll.UntilAsync(condition, what, TimeSpan.FromSeconds(120), () => daemon.HasExited, () => string.Join('\n', daemon.Log.TakeLast(60)));

    private static async Task<long[]> VersionsAsync(NpgsqlConnection connection) =>
        (long[])(await ScalarAsync(connection, "SELECT coalesce(array_agg(version ORDER BY version), '{}') FROM schema_migrations"))!;

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await ScalarAsync(connection, sql);
    }
}
