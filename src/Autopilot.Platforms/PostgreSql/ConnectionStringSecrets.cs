using Autopilot.Platforms.Redaction;
using Npgsql;

namespace Autopilot.Platforms.PostgreSql;

/// <summary>
/// What of a PostgreSQL connection string is secret: the whole string and its password alone, because a driver,
/// pg_dump or lease error may quote either. One place, so the journal's, the lease's and every migration target's
/// connection string are masked alike.
/// </summary>
public static class ConnectionStringSecrets
{
    /// <summary>Registers <paramref name="connectionString"/> and its password with <paramref name="redactor"/>; null or unparsable adds only what it can.</summary>
    public static void Register(Redactor redactor, string? connectionString)
    {
        ArgumentNullException.ThrowIfNull(redactor);
        redactor.Register(connectionString);
        if (string.IsNullOrEmpty(connectionString))
        {
            return;
        }

        try
        {
            redactor.Register(new NpgsqlConnectionStringBuilder(connectionString).Password);
        }
        catch (ArgumentException)
        {
            // Not an Npgsql connection string: the whole string is registered, and its settings check reports the rest.
        }
    }
}
