namespace Autopilot.Platforms.PostgreSql;

/// <summary>A migration step could not be performed (connection, lock, pg_dump, pg_restore). The message holds no password.</summary>
public class MigrationDatabaseException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MigrationDatabaseException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

/// <summary>A statement of a migration file failed; its transaction was rolled back.</summary>
public sealed class MigrationStatementException : MigrationDatabaseException
{
    /// <summary>Creates the exception.</summary>
    public MigrationStatementException(string file, string statement, string error, Exception? inner = null)
        : base($"{file}: {error} in statement: {statement}", inner)
    {
        File = file;
        Statement = statement;
        Error = error;
    }

    /// <summary>The migration file.</summary>
    public string File { get; }

    /// <summary>The statement that failed, as PostgreSQL received it.</summary>
    public string Statement { get; }

    /// <summary>PostgreSQL's error (SQLSTATE and message).</summary>
    public string Error { get; }
}
