using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Autopilot.Benchmarks.Reporting;
using Autopilot.Platforms.PostgreSql;
using Autopilot.Testing.PostgreSql;
using Npgsql;

namespace Autopilot.Benchmarks.Migrations;

/// <summary>
/// Backup, migration and restore of a generated database through the migrations worker's own PostgreSQL steps
/// (<see cref="PostgreSqlMigrationDatabase"/>: pg_dump -Fc, one transaction per file with its schema_migrations row,
/// schemas emptied + pg_restore --clean) on a throwaway PostgreSQL 15 server.
/// </summary>
public static class MigrationsBenchmark
{
    /// <summary>
    /// Options: <c>--size-mb N</c> (200): the database is filled until <c>pg_database_size</c> reaches it;
    /// <c>--client-programs DIR</c> (/usr/lib/postgresql/15/bin).
    /// </summary>
    public static async Task RunAsync(string[] args)
    {
        var sizeMb = int.Parse(BenchmarkConsole.Option(args, "--size-mb") ?? "200", CultureInfo.InvariantCulture);
        var tools = PgClientTools.Locate(BenchmarkConsole.Option(args, "--client-programs") ?? "/usr/lib/postgresql/15/bin");
        using var server = await ThrowawayPostgres.StartNewAsync();
        var connectionString = await server.CreateDatabaseAsync("migrations_bench");
        var backups = Directory.CreateTempSubdirectory("autopilot-migrations-bench").FullName;
        try
        {
            var filling = Stopwatch.StartNew();
            var size = await FillAsync(connectionString, sizeMb * 1024L * 1024L);
            Console.WriteLine($"# database generated: {size / (1024.0 * 1024.0):N0} MiB in {filling.Elapsed.TotalSeconds:F0} s ({Environment.ProcessorCount} cores)");
            var database = new PostgreSqlMigrationDatabase(connectionString, tools);

            var backupTime = Stopwatch.StartNew();
            var backup = await database.BackupAsync(backups, DateTimeOffset.UtcNow);
            backupTime.Stop();

            // A typical release: a column with a default, an index on a large table, a data fix on a tenth of the rows.
            var migrateTime = Stopwatch.StartNew();
            await using (var session = await database.LockAsync())
            {
                await session.ApplyAsync(Script(1, "add_status", "ALTER TABLE events ADD COLUMN status text NOT NULL DEFAULT 'new';"), "bench", DateTimeOffset.UtcNow);
                await session.ApplyAsync(Script(2, "index_account", "CREATE INDEX events_account ON events (account_id, created_at);"), "bench", DateTimeOffset.UtcNow);
                await session.ApplyAsync(Script(3, "close_old", "UPDATE events SET status = 'closed' WHERE id % 10 = 0;"), "bench", DateTimeOffset.UtcNow);
            }

            migrateTime.Stop();

            var restoreTime = Stopwatch.StartNew();
            await database.RestoreAsync(backup);
            restoreTime.Stop();
            await using (var check = await database.LockAsync())
            {
                if ((await check.AppliedAsync()).Count != 0)
                {
                    throw new InvalidOperationException("the restore did not bring back the state before the migration");
                }
            }

            BenchmarkConsole.PrintTable(["step", "seconds", "notes"],
            [
                ["backup (pg_dump -Fc)", backupTime.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture), $"{new FileInfo(backup).Length / (1024.0 * 1024.0):N0} MiB file"],
                ["migrate (3 files)", migrateTime.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture), "add column with default, index, update 10 %"],
                ["restore (pg_restore --clean)", restoreTime.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture), "schemas emptied first, one transaction, verified"],
            ], textColumns: 1);
        }
        finally
        {
            Directory.Delete(backups, recursive: true);
        }
    }

    private static MigrationScript Script(long version, string name, string sql) =>
        new(version, $"V{version}__{name}.sql", sql, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sql))).ToLowerInvariant());

    /// <summary>Inserts batches of 200,000 rows (~50 MiB) into <c>events</c> until the database reaches <paramref name="bytes"/>.</summary>
    private static async Task<long> FillAsync(string connectionString, long bytes)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await Execute(connection, "CREATE TABLE events (id bigserial PRIMARY KEY, account_id int NOT NULL, created_at timestamptz NOT NULL, kind text NOT NULL, payload text NOT NULL)");
        long size;
        while ((size = await Size(connection)) < bytes)
        {
            await Execute(connection,
                "INSERT INTO events (account_id, created_at, kind, payload) " +
                "SELECT (random() * 10000)::int, now() - random() * interval '365 days', (ARRAY['order','refund','login','update'])[1 + (g % 4)], " +
                "repeat(md5(random()::text), 4) FROM generate_series(1, 200000) g");
        }

        await Execute(connection, "ANALYZE events");
        return size;
    }

    private static async Task<long> Size(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT pg_database_size(current_database())", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }
}
