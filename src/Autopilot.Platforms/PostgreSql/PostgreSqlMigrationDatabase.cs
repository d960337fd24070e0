using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Autopilot.Platforms.PostgreSql;

/// <summary>
/// <see cref="IMigrationDatabase"/> on a real PostgreSQL: Npgsql for the lock, the files and the checks; pg_dump and
/// pg_restore (run as child processes, the password passed in their environment, never on a command line) for the
/// backup and the way back.
/// </summary>
public sealed class PostgreSqlMigrationDatabase : IMigrationDatabase
{
    /// <summary>The advisory lock key every autopilot migration of a database takes ("autopilot.migrations" as a number).</summary>
    public const long LockKey = 0x4155544f4d494752; // "AUTOMIGR"

    /// <summary>The <c>application_name</c> of the migration connections (visible in pg_stat_activity).</summary>
    public const string ApplicationName = "autopilot-migrations";

    private readonly NpgsqlConnectionStringBuilder _connection;
    private readonly PgClientTools _tools;
    private readonly string _database;

    /// <summary>Creates the target from its connection string (a secret: it is kept, never logged) and the client programs.</summary>
    public PostgreSqlMigrationDatabase(string connectionString, PgClientTools tools)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(tools);
        _connection = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = ApplicationName, Pooling = false };
        _tools = tools;
        _database = _connection.Database ?? throw new ArgumentException("The connection string names no database.", nameof(connectionString));
    }

    /// <inheritdoc />
    public string DatabaseName => _database;

    /// <summary>
    /// The password of <paramref name="connectionString"/> (for the redactor), after checking that it is a connection
    /// string naming a database at all.
    /// </summary>
    /// <exception cref="FormatException">It is not a valid Npgsql connection string or names no database; the message never quotes it.</exception>
    public static string? PasswordOf(string connectionString)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException)
        {
            throw new FormatException("is not a valid Npgsql connection string (Host=...;Port=...;Database=...;Username=...;Password=...)");
        }

        return string.IsNullOrEmpty(builder.Database) ? throw new FormatException("names no database (Database=...)") : builder.Password;
    }

    /// <inheritdoc />
    public async Task<IMigrationSession> LockAsync(CancellationToken cancellationToken = default)
    {
        var connection = new NpgsqlConnection(_connection.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (var locking = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection))
            {
                locking.Parameters.AddWithValue("key", LockKey);
                if (await locking.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
                {
                    throw new MigrationDatabaseException($"another migration of database {_database} is running (its advisory lock is held)");
                }
            }

            await using (var create = new NpgsqlCommand(
                             """
                             CREATE TABLE IF NOT EXISTS schema_migrations (
                                 version    bigint PRIMARY KEY,
                                 name       text NOT NULL,
                                 checksum   text NOT NULL,
                                 applied_at timestamptz NOT NULL,
                                 commit_sha text
                             )
                             """, connection))
            {
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return new Session(connection);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new MigrationDatabaseException($"database {_database} does not answer: {e.Message}", e);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<string> BackupAsync(string directory, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var file = Path.Combine(directory, BackupFiles.NameFor(_database, at));
        var partial = file + ".partial";
        try
        {
            await RunAsync(_tools.PgDump, ["--format=custom", "--no-password", $"--file={partial}"], cancellationToken).ConfigureAwait(false);
            File.Move(partial, file);
            return file;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MigrationDatabaseException($"backup of {_database} to {directory} failed: {e.Message}", e);
        }
        finally
        {
            TryDelete(partial);
        }
    }

    /// <inheritdoc />
    public async Task RestoreAsync(string backupFile, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(backupFile))
        {
            throw new MigrationDatabaseException($"backup {backupFile} does not exist");
        }

        // pg_restore --clean drops only what the dump holds; a table a migration created would survive it. Emptying the
        // application's schemas first makes the result the backup's contents exactly.
        try
        {
            await using var connection = new NpgsqlConnection(_connection.ConnectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var schemas = new List<string>();
            await using (var list = new NpgsqlCommand(
                             """
                             SELECT nspname FROM pg_namespace
                             WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND nspname NOT LIKE 'pg\_temp\_%' AND nspname NOT LIKE 'pg\_toast\_temp\_%'
                             """, connection, transaction))
            await using (var reader = await list.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    schemas.Add(reader.GetString(0));
                }
            }

            foreach (var schema in schemas)
            {
                await using var drop = new NpgsqlCommand($"DROP SCHEMA {QuoteIdentifier(schema)} CASCADE", connection, transaction);
                await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            // PostgreSQL 15's pg_dump leaves the public schema itself out of a dump (it always exists).
            await using (var create = new NpgsqlCommand("CREATE SCHEMA public", connection, transaction))
            {
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            throw new MigrationDatabaseException($"restore of {_database} from {backupFile} failed while emptying its schemas: {e.Message}", e);
        }

        await RunAsync(_tools.PgRestore, ["--clean", "--if-exists", "--single-transaction", "--exit-on-error", "--no-password", $"--dbname={_database}", backupFile],
            cancellationToken).ConfigureAwait(false);
    }

    private async Task RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // libpq reads these; the password never appears in the process list.
        start.Environment["PGHOST"] = _connection.Host;
        start.Environment["PGPORT"] = _connection.Port.ToString(CultureInfo.InvariantCulture);
        start.Environment["PGDATABASE"] = _database;
        start.Environment["PGUSER"] = _connection.Username;
        start.Environment["PGPASSWORD"] = _connection.Password;
        start.Environment["PGAPPNAME"] = ApplicationName;
        start.Environment["PGCONNECT_TIMEOUT"] = _connection.Timeout.ToString(CultureInfo.InvariantCulture);
        if (_connection.SslMode != SslMode.Prefer)
        {
            start.Environment["PGSSLMODE"] = _connection.SslMode.ToString().ToLowerInvariant() switch
            {
                "verifyca" => "verify-ca",
                "verifyfull" => "verify-full",
                var mode => mode,
            };
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new MigrationDatabaseException($"{Path.GetFileName(program)} could not be started: {e.Message}", e);
        }

        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var error = (await errors.ConfigureAwait(false)).Trim();
        await output.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new MigrationDatabaseException(
                $"{Path.GetFileName(program)} of {_database} failed (exit code {process.ExitCode}): {(error.Length > 0 ? error : "no error output")}");
        }
    }

    private static string QuoteIdentifier(string name) => $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing was written there, or the directory is gone: there is nothing to clean up.
        }
    }

    private sealed class Session(NpgsqlConnection connection) : IMigrationSession
    {
        public async Task<IReadOnlyList<AppliedMigration>> AppliedAsync(CancellationToken cancellationToken = default)
        {
            var applied = new List<AppliedMigration>();
            await using var command = new NpgsqlCommand("SELECT version, name, checksum, applied_at, commit_sha FROM schema_migrations ORDER BY version", connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                applied.Add(new AppliedMigration(reader.GetInt64(0), reader.GetString(1), reader.GetString(2),
                    reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
            }

            return applied;
        }

        public async Task ApplyAsync(MigrationScript script, string? commit, DateTimeOffset at, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(script);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var statement = "BEGIN";
            try
            {
                // Statement by statement, so the one PostgreSQL refuses is known (a constraint violation has no position).
                foreach (var sql in SqlStatements.Split(script.Sql))
                {
                    statement = sql;
                    await using var run = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
                    await run.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                statement = "INSERT INTO schema_migrations …";

                await using (var record = new NpgsqlCommand(
                                 "INSERT INTO schema_migrations (version, name, checksum, applied_at, commit_sha) VALUES (@version, @name, @checksum, @at, @commit)",
                                 connection, transaction))
                {
                    record.Parameters.AddWithValue("version", script.Version);
                    record.Parameters.AddWithValue("name", script.Name);
                    record.Parameters.AddWithValue("checksum", script.Checksum);
                    record.Parameters.AddWithValue("at", at.ToUniversalTime());
                    record.Parameters.AddWithValue("commit", (object?)commit ?? DBNull.Value);
                    await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e)
            {
                await RollbackQuietlyAsync(transaction).ConfigureAwait(false);
                throw new MigrationStatementException(script.Name, statement, $"{e.SqlState}: {e.MessageText}", e);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                await RollbackQuietlyAsync(transaction).ConfigureAwait(false);
                throw new MigrationDatabaseException($"{script.Name}: the connection failed ({e.Message}); its transaction did not commit", e);
            }
        }

        public async Task<IReadOnlyList<FailedCheck>> VerifyAsync(IReadOnlyList<string> checks, CancellationToken cancellationToken = default)
        {
            var failed = new List<FailedCheck>();
            foreach (var check in checks)
            {
                try
                {
                    await using var command = new NpgsqlCommand(check, connection);
                    var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                    if (result is not true)
                    {
                        failed.Add(new FailedCheck(check, $"returned {(result is null or DBNull ? "no value" : Convert.ToString(result, CultureInfo.InvariantCulture))}, not true"));
                    }
                }
                catch (PostgresException e)
                {
                    failed.Add(new FailedCheck(check, $"{e.SqlState}: {e.MessageText}"));
                }
            }

            return failed;
        }

        public ValueTask DisposeAsync() => connection.DisposeAsync(); // closing the session releases the advisory lock

        private static async Task RollbackQuietlyAsync(NpgsqlTransaction transaction)
        {
            try
            {
                await transaction.RollbackAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                // The connection is gone: PostgreSQL rolled the transaction back itself.
            }
        }
    }
}
