using System.Security.Cryptography;
using System.Text;
using Autopilot.Platforms.PostgreSql;
using Autopilot.Testing.PostgreSql;
using Npgsql;
using Xunit;

namespace Autopilot.Platforms.Tests.PostgreSql;

/// <summary>The migration steps against a real PostgreSQL 15 and the real pg_dump / pg_restore.</summary>
public sealed class PostgreSqlMigrationDatabaseTests(ThrowawayPostgres postgres) : IClassFixture<ThrowawayPostgres>, IDisposable
{
    /// <summary>Where the machine's PostgreSQL 15 client programs are.</summary>
    public const string ClientPrograms = "/usr/lib/postgresql/15/bin";

    private readonly string _backups = Directory.CreateTempSubdirectory("autopilot-backups-").FullName;

    public void Dispose() => Directory.Delete(_backups, recursive: true);

    private async Task<(string ConnectionString, PostgreSqlMigrationDatabase Database)> NewDatabaseAsync(string purpose)
    {
        var connectionString = await postgres.CreateDatabaseAsync(purpose);
        return (connectionString, new PostgreSqlMigrationDatabase(connectionString, PgClientTools.Locate(ClientPrograms)));
    }

    private static MigrationScript Script(long version, string name, string sql) =>
        new(version, $"V{version}__{name}.sql", sql, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sql))).ToLowerInvariant());

    private static async Task<T?> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T?)await command.ExecuteScalarAsync();
    }

    [Fact]
    public async Task Files_are_applied_in_their_own_transactions_and_recorded_with_checksum_and_commit()
    {
        var (cs, database) = await NewDatabaseAsync("apply");
        await using (var session = await database.LockAsync())
        {
            await session.ApplyAsync(Script(1, "orders", "CREATE TABLE orders (id int PRIMARY KEY, total int NOT NULL);"), "abc123", DateTimeOffset.UtcNow);
            await session.ApplyAsync(Script(2, "seed", "INSERT INTO orders VALUES (1, 10); INSERT INTO orders VALUES (2, 20);"), "abc123", DateTimeOffset.UtcNow);
            var applied = await session.AppliedAsync();
            Assert.Equal([1L, 2L], applied.Select(a => a.Version));
            Assert.Equal(Script(2, "seed", "INSERT INTO orders VALUES (1, 10); INSERT INTO orders VALUES (2, 20);").Checksum, applied[1].Checksum);
            Assert.All(applied, a => Assert.Equal("abc123", a.Commit));
        }

        Assert.Equal(30L, await ScalarAsync<long>(cs, "SELECT sum(total) FROM orders"));
    }

    [Fact]
    public async Task A_failing_statement_is_named_and_nothing_of_its_file_is_committed()
    {
        var (cs, database) = await NewDatabaseAsync("failing");
        await using var session = await database.LockAsync();
        await session.ApplyAsync(Script(1, "orders", "CREATE TABLE orders (id int PRIMARY KEY);"), null, DateTimeOffset.UtcNow);

        var failure = await Assert.ThrowsAsync<MigrationStatementException>(() =>
            session.ApplyAsync(Script(2, "dup", "INSERT INTO orders VALUES (1);\nINSERT INTO orders VALUES (1);\nCREATE TABLE later (x int);"), null, DateTimeOffset.UtcNow));

        Assert.Equal("INSERT INTO orders VALUES (1)", failure.Statement);
        Assert.StartsWith("23505", failure.Error);
        Assert.Equal(0L, await ScalarAsync<long>(cs, "SELECT count(*) FROM orders"));
        Assert.Equal([1L], (await session.AppliedAsync()).Select(a => a.Version));
    }

    [Fact]
    public async Task A_second_migration_of_the_same_database_is_refused_while_the_first_holds_the_lock()
    {
        var (_, database) = await NewDatabaseAsync("lock");
        await using (var first = await database.LockAsync())
        {
            var refused = await Assert.ThrowsAsync<MigrationDatabaseException>(() => database.LockAsync());
            Assert.Contains("another migration", refused.Message);
        }

        await using var again = await database.LockAsync(); // released with the first session
    }

    [Fact]
    public async Task Restore_puts_back_exactly_the_backed_up_contents_and_drops_what_migrations_created()
    {
        var (cs, database) = await NewDatabaseAsync("restore");
        await using (var session = await database.LockAsync())
        {
            await session.ApplyAsync(Script(1, "orders", "CREATE TABLE orders (id int PRIMARY KEY, note text); INSERT INTO orders SELECT g, md5(g::text) FROM generate_series(1, 500) g;"),
                null, DateTimeOffset.UtcNow);
        }

        var before = await ScalarAsync<string>(cs, "SELECT md5(string_agg(id || ':' || note, ',' ORDER BY id)) FROM orders");
        var backup = await database.BackupAsync(_backups, DateTimeOffset.UtcNow);
        Assert.True(File.Exists(backup));
        Assert.EndsWith(".dump", backup);

        await using (var session = await database.LockAsync())
        {
            await session.ApplyAsync(Script(2, "change", "DELETE FROM orders WHERE id > 100; CREATE TABLE extra (x int);"), null, DateTimeOffset.UtcNow);
        }

        await database.RestoreAsync(backup);

        Assert.Equal(before, await ScalarAsync<string>(cs, "SELECT md5(string_agg(id || ':' || note, ',' ORDER BY id)) FROM orders"));
        Assert.Equal(0L, await ScalarAsync<long>(cs, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'extra'"));
        await using var check = await database.LockAsync();
        Assert.Equal([1L], (await check.AppliedAsync()).Select(a => a.Version));
    }

    [Fact]
    public async Task A_backup_into_a_directory_that_cannot_be_written_fails_and_leaves_no_file()
    {
        var (_, database) = await NewDatabaseAsync("unwritable");
        var notADirectory = Path.Combine(_backups, "a-file");
        await File.WriteAllTextAsync(notADirectory, "x");

        var failure = await Assert.ThrowsAsync<MigrationDatabaseException>(() => database.BackupAsync(Path.Combine(notADirectory, "sub"), DateTimeOffset.UtcNow));

        Assert.Contains("pg_dump", failure.Message);
        Assert.DoesNotContain(postgres.Password, failure.Message);
        Assert.Equal([notADirectory], Directory.GetFiles(_backups));
    }

    [Fact]
    public async Task Verification_reports_each_check_that_is_not_true()
    {
        var (_, database) = await NewDatabaseAsync("verify");
        await using var session = await database.LockAsync();
        await session.ApplyAsync(Script(1, "t", "CREATE TABLE t (x int); INSERT INTO t VALUES (1);"), null, DateTimeOffset.UtcNow);

        var failed = await session.VerifyAsync(["SELECT count(*) = 1 FROM t", "SELECT count(*) = 2 FROM t", "SELECT * FROM missing"]);

        Assert.Equal(["SELECT count(*) = 2 FROM t", "SELECT * FROM missing"], failed.Select(f => f.Sql));
        Assert.Contains("False", failed[0].Reason, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("42P01", failed[1].Reason);
    }

    [Fact]
    public void Missing_client_programs_are_named()
    {
        var error = Assert.Throws<FileNotFoundException>(() => PgClientTools.Locate(_backups));
        Assert.Contains("pg_dump and pg_restore", error.Message);
        Assert.Contains(_backups, error.Message);
    }

    [Fact]
    public void Retention_deletes_only_this_databases_backups_older_than_the_window()
    {
        var now = new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
        var old = Path.Combine(_backups, BackupFiles.NameFor("app", now.AddDays(-8)));
        var recent = Path.Combine(_backups, BackupFiles.NameFor("app", now.AddDays(-6)));
        var other = Path.Combine(_backups, BackupFiles.NameFor("billing", now.AddDays(-30)));
        foreach (var path in new[] { old, recent, other })
        {
            File.WriteAllText(path, "");
        }

        Assert.Equal([old], BackupFiles.Prune(_backups, "app", TimeSpan.FromDays(7), now));
        Assert.True(File.Exists(recent));
        Assert.True(File.Exists(other));
    }
}
