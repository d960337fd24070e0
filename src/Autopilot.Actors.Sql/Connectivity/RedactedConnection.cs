namespace Autopilot.Actors.Sql.Connectivity;

/// <summary>
/// What may be said about a connection string in logs, exceptions and health detail: where it points, never its
/// password. Also scrubs the password out of driver messages, in case a driver ever echoes it.
/// </summary>
public sealed class RedactedConnection
{
    private readonly string? _password;

    /// <summary>Parses <paramref name="connectionString"/> (ADO.NET key=value form).</summary>
    /// <param name="connectionString">The secret-bearing connection string.</param>
    /// <param name="describe">Builds a safe description from the parsed keys (e.g. host:port/database).</param>
    public RedactedConnection(string connectionString, Func<DbConnectionStringBuilder, string> describe)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        ArgumentNullException.ThrowIfNull(describe);
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        _password = new[] { "Password", "Pwd" }.Select(key => Value(builder, key)).FirstOrDefault(p => !string.IsNullOrEmpty(p));
        Description = describe(builder);
    }

    /// <summary>A description without secrets, e.g. <c>PostgreSQL 10.0.0.5:5432/autopilot</c>.</summary>
    public string Description { get; }

    /// <summary>Removes the password from <paramref name="text"/>.</summary>
    public string Scrub(string text) => _password is null ? text : text.Replace(_password, "***", StringComparison.Ordinal);

    /// <summary>A one-line explanation of <paramref name="error"/> safe to log or report.</summary>
    public string Explain(Exception error)
    {
        var innermost = error;
        while (innermost.InnerException is not null)
            innermost = innermost.InnerException;
        var text = ReferenceEquals(innermost, error) ? error.Message : $"{error.Message} ({innermost.Message})";
        return Scrub($"{Description}: {text}");
    }

    /// <summary>Reads <paramref name="key"/> from the parsed connection string, or null.</summary>
    public static string? Value(DbConnectionStringBuilder builder, string key) =>
        builder.TryGetValue(key, out var value) ? value?.ToString() : null;
}
