using Npgsql;

namespace Autopilot.Actors.Sql.Postgres;

/// <summary>
/// Server settings every session of the journal and the cluster runs with. <c>synchronous_commit=on</c>: an
/// acknowledged write, lease or inbox claim survives a database crash. <c>idle_in_transaction_session_timeout</c>:
/// our transactions send their statements back to back, so a session idle inside one belongs to a frozen or
/// vanished process (SIGSTOP, a stalled VM) whose row and advisory locks would otherwise stop the rest of the cluster
/// — a standby taking the lease, a new leader raising the fence — for as long as its connection lives.
/// </summary>
public static class PostgresSessionOptions
{
    /// <summary>How long a session may sit idle inside a transaction before the server ends it.</summary>
    public static readonly TimeSpan IdleInTransactionTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Adds the settings to <paramref name="builder"/>, keeping any options the connection string already had.</summary>
    public static void Apply(NpgsqlConnectionStringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Options = $"{builder.Options} -c synchronous_commit=on -c idle_in_transaction_session_timeout={(int)IdleInTransactionTimeout.TotalMilliseconds}".Trim();
    }
}
