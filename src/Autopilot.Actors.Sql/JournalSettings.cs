using System.Text;
using Autopilot.Actors.Sql.Connectivity;

namespace Autopilot.Actors.Sql;

/// <summary>
/// Settings of the SQLite journal and snapshot store (HOCON: <c>autopilot.persistence.journal.sqlite.connection-string</c>).
/// </summary>
/// <param name="ConnectionString">Microsoft.Data.Sqlite connection string, e.g. <c>Data Source=/var/lib/autopilot/journal.db</c>.</param>
public sealed record SqliteJournalSettings(string ConnectionString)
{
    /// <summary>Most atomic writes committed in one transaction by the group commit.</summary>
    public int MaxBatchSize { get; init; } = 256;

    /// <summary>Backoff between attempts to open the database at start.</summary>
    public RetryBackoff StartupBackoff { get; init; } = RetryBackoff.Default;

    // The connection string may carry a password: keep it out of ToString.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"MaxBatchSize = {MaxBatchSize}, StartupBackoff = {StartupBackoff}");
        return true;
    }
}

/// <summary>
/// Settings of the PostgreSQL journal and snapshot store (HOCON: <c>autopilot.persistence.journal.postgresql.connection-string</c>).
/// </summary>
/// <param name="ConnectionString">Npgsql connection string; its password never appears in logs, exceptions or health.</param>
public sealed record PostgresJournalSettings(string ConnectionString)
{
    /// <summary>
    /// Most atomic writes committed in one transaction. Each write runs in its own savepoint (a subtransaction);
    /// PostgreSQL caches 64 subtransactions per backend before snapshots get slower, hence the default.
    /// </summary>
    public int MaxBatchSize { get; init; } = 64;

    /// <summary>Backoff between attempts to reach the database at start.</summary>
    public RetryBackoff StartupBackoff { get; init; } = RetryBackoff.Default;

    // The connection string carries a password: keep it out of ToString.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"MaxBatchSize = {MaxBatchSize}, StartupBackoff = {StartupBackoff}");
        return true;
    }
}
