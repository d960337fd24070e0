using System.Text;
using Autopilot.Actors.Sql.Connectivity;

namespace Autopilot.Actors.Sql;

/// <summary>
/// What the settings of the SQL back ends share: where the database is, how many writes one group commit may take,
/// and how start-up retries. Printing leaves the connection string out because it may carry a password.
/// </summary>
public abstract record SqlStoreSettings
{
    /// <param name="connectionString">The driver's connection string.</param>
    /// <param name="maxBatchSize">The back end's default for <see cref="MaxBatchSize"/>.</param>
    private protected SqlStoreSettings(string connectionString, int maxBatchSize)
    {
        ConnectionString = connectionString;
        MaxBatchSize = maxBatchSize;
    }

    /// <summary>The driver's connection string; never printed.</summary>
    public string ConnectionString { get; init; }

    /// <summary>Most atomic writes committed in one transaction by the group commit.</summary>
    public int MaxBatchSize { get; init; }

    /// <summary>Backoff between attempts to reach the database at start.</summary>
    public RetryBackoff StartupBackoff { get; init; } = RetryBackoff.Default;

    /// <summary>Prints everything but the connection string.</summary>
    protected virtual bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"MaxBatchSize = {MaxBatchSize}, StartupBackoff = {StartupBackoff}");
        return true;
    }
}

/// <summary>
/// Settings of the SQLite journal and snapshot store (HOCON: <c>autopilot.persistence.journal.sqlite.connection-string</c>).
/// A group commit takes up to 256 writes by default.
/// </summary>
/// <param name="ConnectionString">Microsoft.Data.Sqlite connection string, e.g. <c>Data Source=/var/lib/autopilot/journal.db</c>.</param>
public sealed record SqliteJournalSettings(string ConnectionString) : SqlStoreSettings(ConnectionString, maxBatchSize: 256);

/// <summary>
/// Settings of the PostgreSQL journal and snapshot store (HOCON: <c>autopilot.persistence.journal.postgresql.connection-string</c>).
/// A group commit takes up to 256 writes by default (all stored by one statement), and up to
/// <see cref="MaxConcurrentCommits"/> group commits run at once.
/// </summary>
/// <param name="ConnectionString">Npgsql connection string; its password never appears in logs, exceptions or health.</param>
public sealed record PostgresJournalSettings(string ConnectionString) : SqlStoreSettings(ConnectionString, maxBatchSize: 256)
{
    /// <summary>
    /// How many group commits may run at once, each on its own writer connection (default 4). Writers that arrive
    /// while a commit waits for its flush start the next one at once instead of waiting behind it; PostgreSQL
    /// flushes concurrent commits together.
    /// </summary>
    public int MaxConcurrentCommits { get; init; } = 4;

    /// <summary>Prints everything but the connection string.</summary>
    protected override bool PrintMembers(StringBuilder builder)
    {
        base.PrintMembers(builder);
        builder.Append($", MaxConcurrentCommits = {MaxConcurrentCommits}");
        return true;
    }
}
