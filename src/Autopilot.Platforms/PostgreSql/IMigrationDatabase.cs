namespace Autopilot.Platforms.PostgreSql;

/// <summary>
/// A target database the migrations worker changes. The worker decides; this only performs one step at a time so every
/// step can be recorded before and after it happens, and so the worker can be tested without a server.
/// </summary>
public interface IMigrationDatabase
{
    /// <summary>The database's name (not secret): backups are named after it.</summary>
    string DatabaseName { get; }

    /// <summary>
    /// Connects and takes the target's migration lock (a session-level PostgreSQL advisory lock, released when the
    /// session is disposed or its connection dies), creating <c>schema_migrations</c> when it does not exist.
    /// </summary>
    /// <exception cref="MigrationDatabaseException">The target does not answer, or another migration holds the lock.</exception>
    Task<IMigrationSession> LockAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Backs the whole database up with <c>pg_dump</c> in custom format to a new timestamped file under
    /// <paramref name="directory"/> and returns its path. A failed dump leaves no file that looks like a backup.
    /// </summary>
    /// <exception cref="MigrationDatabaseException">pg_dump failed (its error output, which never holds the password).</exception>
    Task<string> BackupAsync(string directory, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>
    /// Puts the database back to <paramref name="backupFile"/>: every schema the application owns is dropped (so objects a
    /// migration created, which the dump does not know, go too) and the dump is restored with <c>pg_restore --clean</c>
    /// in one transaction.
    /// </summary>
    /// <exception cref="MigrationDatabaseException">The restore failed; the database needs a human.</exception>
    Task RestoreAsync(string backupFile, CancellationToken cancellationToken = default);
}

/// <summary>A connection to the target holding its migration lock; dispose it to release the lock.</summary>
public interface IMigrationSession : IAsyncDisposable
{
    /// <summary>The migrations recorded in the target's <c>schema_migrations</c>, by version.</summary>
    Task<IReadOnlyList<AppliedMigration>> AppliedAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs <paramref name="script"/> and inserts its <c>schema_migrations</c> row in one transaction: either both are
    /// committed or neither, so after any crash the table says exactly which files took effect.
    /// </summary>
    /// <exception cref="MigrationStatementException">A statement failed; nothing of the file was committed.</exception>
    Task ApplyAsync(MigrationScript script, string? commit, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Runs each verification query; returns those that did not return a single <c>true</c>, with why.</summary>
    Task<IReadOnlyList<FailedCheck>> VerifyAsync(IReadOnlyList<string> checks, CancellationToken cancellationToken = default);
}

/// <summary>One file to apply.</summary>
/// <param name="Version">The number of <c>V&lt;number&gt;__&lt;name&gt;.sql</c>.</param>
/// <param name="Name">The file name.</param>
/// <param name="Sql">Its statements (no transaction control: each file runs in its own transaction).</param>
/// <param name="Checksum">SHA-256 of its bytes, lower-case hex.</param>
public sealed record MigrationScript(long Version, string Name, string Sql, string Checksum);

/// <summary>A row of <c>schema_migrations</c>.</summary>
/// <param name="Version">Version.</param>
/// <param name="Name">File name.</param>
/// <param name="Checksum">SHA-256 of the file as applied.</param>
/// <param name="AppliedAt">When its transaction committed.</param>
/// <param name="Commit">The commit the file was read at, when known.</param>
public sealed record AppliedMigration(long Version, string Name, string Checksum, DateTimeOffset AppliedAt, string? Commit);

/// <summary>A verification query that did not return true.</summary>
/// <param name="Sql">The query.</param>
/// <param name="Reason">What it returned, or its error.</param>
public sealed record FailedCheck(string Sql, string Reason);
