using Autopilot.Actors.Sql.Connectivity;

namespace Autopilot.Actors.Sql.Database;

/// <summary>
/// The database behind one store (journal or snapshot store): what it is called in messages, how its schema is
/// created, and running a <see cref="SqlQuery"/> on a pooled connection. Lets the shared store code read and write
/// through ADO.NET without knowing which driver is underneath.
/// </summary>
internal abstract class SqlDatabase : IAsyncDisposable
{
    /// <summary>Where the connection string points, safe to put in messages.</summary>
    public abstract RedactedConnection Connection { get; }

    /// <summary>Creates the schema if missing; safe to run from several processes at once.</summary>
    public abstract Task EnsureSchemaAsync(CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="query"/> and maps each row with <paramref name="readRow"/>.</summary>
    /// <exception cref="DbException">The database failed or could not be reached.</exception>
    public async Task<List<T>> QueryAsync<T>(SqlQuery query, Func<DbDataReader, T> readRow, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Prepare(connection, query);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            rows.Add(readRow(reader));
        return rows;
    }

    /// <summary>Runs <paramref name="query"/>, which returns no rows, in its own transaction.</summary>
    /// <exception cref="DbException">The database failed or could not be reached.</exception>
    public async Task ExecuteAsync(SqlQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Prepare(connection, query);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Releases what the database holds (pooled connections, data source).</summary>
    public abstract ValueTask DisposeAsync();

    /// <summary>Opens a pooled connection with the back end's durability settings.</summary>
    protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    private static DbCommand Prepare(DbConnection connection, SqlQuery query)
    {
        var command = connection.CreateCommand();
        command.CommandText = query.Text;
        foreach (var parameter in query.Parameters)
            command.Parameters.Add(parameter);
        return command;
    }
}
