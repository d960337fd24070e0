namespace Autopilot.Coordination.PostgreSql;

/// <summary>
/// The lease's SQL, one autocommit statement per operation (no transaction is ever left open). Every expiry is
/// computed and compared with the database's <c>clock_timestamp()</c>, so the nodes' clocks never decide who holds
/// a lease. Parameters: <c>@name</c> lease name, <c>@owner</c> owner with incarnation, <c>@ttl</c> heartbeat-timeout
/// as an interval, <c>@token</c> the fencing token of the caller's tenure.
/// </summary>
internal sealed class LeaseStatements(string table)
{
    /// <summary>One row per lease name; the token survives release so it is never reused.</summary>
    public string CreateTable { get; } = $"""
        CREATE TABLE IF NOT EXISTS {table} (
            lease_name    text        PRIMARY KEY,
            owner         text        NULL,
            fencing_token bigint      NOT NULL,
            expires_at    timestamptz NULL,
            acquired_at   timestamptz NULL,
            renewed_at    timestamptz NULL
        )
        """;

    /// <summary>
    /// Takes the row when it is free (released), expired by the database clock, or already this very incarnation's,
    /// and raises the fencing token by one; returns the new token, or no row when someone else holds it. A
    /// concurrent taker waits on the row lock and then re-checks the condition against the winner's row.
    /// </summary>
    public string Acquire { get; } = $"""
        INSERT INTO {table} AS l (lease_name, owner, fencing_token, expires_at, acquired_at, renewed_at)
        VALUES (@name, @owner, 1, clock_timestamp() + @ttl, clock_timestamp(), clock_timestamp())
        ON CONFLICT (lease_name) DO UPDATE
           SET owner = EXCLUDED.owner,
               fencing_token = l.fencing_token + 1,
               expires_at = clock_timestamp() + @ttl,
               acquired_at = clock_timestamp(),
               renewed_at = clock_timestamp()
         WHERE l.owner IS NULL OR l.owner = EXCLUDED.owner OR l.expires_at <= clock_timestamp()
        RETURNING l.fencing_token
        """;

    /// <summary>
    /// Extends the caller's tenure only while it is still live in the database: same owner, same token, not yet
    /// expired. An expired tenure is never revived, even if nobody else took the row meanwhile.
    /// </summary>
    public string Renew { get; } = $"""
        UPDATE {table}
           SET expires_at = clock_timestamp() + @ttl, renewed_at = clock_timestamp()
         WHERE lease_name = @name AND owner = @owner AND fencing_token = @token AND expires_at > clock_timestamp()
        """;

    /// <summary>Frees the caller's tenure at once (the token stays, so the next taker gets a higher one).</summary>
    public string Release { get; } = $"""
        UPDATE {table}
           SET owner = NULL, expires_at = NULL, renewed_at = clock_timestamp()
         WHERE lease_name = @name AND owner = @owner AND fencing_token = @token
        """;

    /// <summary>The row as the database sees it now (for operators: holder, token, time left).</summary>
    public string Read { get; } = $"""
        SELECT owner, fencing_token, expires_at - clock_timestamp()
          FROM {table}
         WHERE lease_name = @name
        """;
}
