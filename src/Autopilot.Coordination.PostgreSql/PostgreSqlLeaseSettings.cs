using System.Globalization;
using Akka.Configuration;
using Akka.Coordination;
using Npgsql;

namespace Autopilot.Coordination.PostgreSql;

/// <summary>
/// The PostgreSQL lease's settings, read from its HOCON section (see <see cref="PostgreSqlLease.DefaultConfig"/>):
/// the Akka timings from <see cref="LeaseSettings.TimeoutSettings"/> plus <c>connection-string</c>,
/// <c>table-name</c> and <c>safety-margin</c>.
/// </summary>
/// <remarks>
/// The connection string is kept private and never appears in <see cref="ToString"/>, a log line or an exception
/// message: it usually carries a password.
/// </remarks>
public sealed class PostgreSqlLeaseSettings
{
    /// <summary>Table used when the section has no <c>table-name</c>.</summary>
    public const string DefaultTableName = "akka_leases";

    private PostgreSqlLeaseSettings(
        string connectionString, string tableName, string quotedTableName,
        TimeSpan heartbeatInterval, TimeSpan heartbeatTimeout, TimeSpan operationTimeout, TimeSpan safetyMargin)
    {
        ConnectionString = connectionString;
        TableName = tableName;
        QuotedTableName = quotedTableName;
        HeartbeatInterval = heartbeatInterval;
        HeartbeatTimeout = heartbeatTimeout;
        OperationTimeout = operationTimeout;
        SafetyMargin = safetyMargin;
    }

    /// <summary>The table holding one row per lease name, as configured (optionally <c>schema.table</c>).</summary>
    public string TableName { get; }

    /// <summary>How often the holder renews its row (<c>heartbeat-interval</c>).</summary>
    public TimeSpan HeartbeatInterval { get; }

    /// <summary>
    /// How long a row stays the holder's after its last renewal, measured by the database clock
    /// (<c>heartbeat-timeout</c>): the time a crashed holder blocks the others.
    /// </summary>
    public TimeSpan HeartbeatTimeout { get; }

    /// <summary>Upper bound of one acquire, renew or release round trip (<c>lease-operation-timeout</c>).</summary>
    public TimeSpan OperationTimeout { get; }

    /// <summary>
    /// How much earlier than the database the holder stops trusting its lease (<c>safety-margin</c>, default
    /// <c>heartbeat-interval</c>): room for the work done between <see cref="PostgreSqlLease.CheckLease"/> and the
    /// guarded call, and for clock-rate differences between this node and the database.
    /// </summary>
    public TimeSpan SafetyMargin { get; }

    /// <summary>
    /// How long after a request was sent a successful acquire or renewal proves the lease held:
    /// <see cref="HeartbeatTimeout"/> minus <see cref="SafetyMargin"/>.
    /// </summary>
    public TimeSpan ValidityWindow => HeartbeatTimeout - SafetyMargin;

    /// <summary>The connection string with the session settings added (never logged).</summary>
    internal string ConnectionString { get; }

    /// <summary>The table name quoted for SQL (each dotted part as a quoted identifier).</summary>
    internal string QuotedTableName { get; }

    /// <summary>Reads and checks the lease's section.</summary>
    /// <exception cref="ArgumentException">A missing connection string, a bad table name or inconsistent timings.</exception>
    public static PostgreSqlLeaseSettings Create(LeaseSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var config = settings.LeaseConfig;
        var timeouts = settings.TimeoutSettings;

        var tableName = config.GetString("table-name", DefaultTableName);
        if (string.IsNullOrWhiteSpace(tableName))
            tableName = DefaultTableName;
        var quoted = QuoteTableName(tableName);

        var safetyMargin = ReadOptionalDuration(config, "safety-margin") ?? timeouts.HeartbeatInterval;
        if (timeouts.HeartbeatInterval <= TimeSpan.Zero)
            throw new ArgumentException("heartbeat-interval of the PostgreSQL lease must be positive.");
        if (timeouts.OperationTimeout <= TimeSpan.Zero)
            throw new ArgumentException("lease-operation-timeout of the PostgreSQL lease must be positive.");
        if (safetyMargin < TimeSpan.Zero)
            throw new ArgumentException("safety-margin of the PostgreSQL lease must not be negative.");
        if (timeouts.HeartbeatTimeout - safetyMargin <= timeouts.HeartbeatInterval)
            throw new ArgumentException(
                "heartbeat-timeout of the PostgreSQL lease minus its safety-margin must exceed heartbeat-interval, " +
                $"or a holder could never prove it holds the lease (got {timeouts.HeartbeatTimeout}, {safetyMargin}, {timeouts.HeartbeatInterval}).");

        var connectionString = config.GetString("connection-string", "");
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new ArgumentException("connection-string of the PostgreSQL lease section is missing or empty.");

        return new PostgreSqlLeaseSettings(
            WithSessionSettings(connectionString, timeouts.OperationTimeout), tableName, quoted,
            timeouts.HeartbeatInterval, timeouts.HeartbeatTimeout, timeouts.OperationTimeout, safetyMargin);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"PostgreSqlLeaseSettings(table {TableName}, heartbeat-interval {HeartbeatInterval}, heartbeat-timeout {HeartbeatTimeout}, " +
        $"lease-operation-timeout {OperationTimeout}, safety-margin {SafetyMargin})";

    /// <summary>
    /// Adds to the caller's connection string what every lease session needs: a server-side bound on statements,
    /// lock waits and idle transactions (so a frozen holder never blocks the others), a connect timeout no longer
    /// than one operation, and an application name that shows in <c>pg_stat_activity</c>.
    /// </summary>
    private static string WithSessionSettings(string connectionString, TimeSpan operationTimeout)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
        {
            // The inner exception could quote part of the string: it is deliberately not attached.
            throw new ArgumentException("connection-string of the PostgreSQL lease section is not a valid Npgsql connection string.");
        }

        var milliseconds = Math.Max(1, (long)Math.Ceiling(operationTimeout.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
        var session = $"-c idle_in_transaction_session_timeout={milliseconds} -c statement_timeout={milliseconds} -c lock_timeout={milliseconds}";
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? session : $"{builder.Options} {session}";
        var connectSeconds = Math.Max(1, (int)Math.Ceiling(operationTimeout.TotalSeconds));
        if (builder.Timeout <= 0 || builder.Timeout > connectSeconds)
            builder.Timeout = connectSeconds;
        if (string.IsNullOrEmpty(builder.ApplicationName))
            builder.ApplicationName = "autopilot-lease";
        return builder.ConnectionString;
    }

    private static TimeSpan? ReadOptionalDuration(Config config, string key)
    {
        if (!config.HasPath(key))
            return null;
        var value = config.GetValue(key);
        if (value is null || (value.IsString() && string.IsNullOrWhiteSpace(value.GetString())))
            return null;
        return config.GetTimeSpan(key);
    }

    private static string QuoteTableName(string tableName)
    {
        var parts = tableName.Split('.');
        if (parts.Length > 2 || parts.Any(p => p.Length == 0 || p.Length > 63 || p.Any(char.IsControl)))
            throw new ArgumentException($"table-name of the PostgreSQL lease must be 'table' or 'schema.table' (got '{tableName}').");
        return string.Join('.', parts.Select(p => $"\"{p.Replace("\"", "\"\"", StringComparison.Ordinal)}\""));
    }
}
