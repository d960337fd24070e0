using Npgsql;

namespace Autopilot.Coordination.PostgreSql.Tests.Support;

/// <summary>What a test does to the lease table behind the leases' backs, as an operator or a failure would.</summary>
public sealed class LeaseDatabase(string connectionString, string table = PostgreSqlLeaseSettings.DefaultTableName)
{
    public string ConnectionString => connectionString;

    /// <summary>The database clock now.</summary>
    public async Task<DateTime> NowAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("SELECT clock_timestamp()", connection);
        return (DateTime)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The row: owner, token, and whether it was renewed or acquired after <paramref name="since"/> (database clock).</summary>
    public async Task<(string? Owner, long Token, bool TouchedSince, bool Live)?> ReadAsync(string leaseName, DateTime since)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT owner, fencing_token, renewed_at > @since, expires_at > clock_timestamp() FROM {table} WHERE lease_name = @name", connection);
        command.Parameters.AddWithValue("name", leaseName);
        command.Parameters.AddWithValue("since", since);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
            return null;
        return (reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt64(1),
            !reader.IsDBNull(2) && reader.GetBoolean(2), !reader.IsDBNull(3) && reader.GetBoolean(3));
    }

    /// <summary>Another party takes the row with a higher token for a minute.</summary>
    public Task StealAsync(string leaseName) => ExecuteAsync(
        $"UPDATE {table} SET owner = 'intruder:1#0', fencing_token = fencing_token + 1, expires_at = clock_timestamp() + interval '1 minute' WHERE lease_name = @name",
        leaseName);

    /// <summary>Moves the row's expiry into the past, as if its heartbeat-timeout had run out.</summary>
    public Task ExpireAsync(string leaseName) => ExecuteAsync(
        $"UPDATE {table} SET expires_at = clock_timestamp() - interval '1 second' WHERE lease_name = @name", leaseName);

    /// <summary>
    /// Holds a row lock on the lease until the returned handle is disposed: every renewal, acquisition and release
    /// of that lease blocks meanwhile.
    /// </summary>
    public async Task<IAsyncDisposable> LockRowAsync(string leaseName)
    {
        var connection = await OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand($"SELECT 1 FROM {table} WHERE lease_name = @name FOR UPDATE", connection, transaction))
        {
            command.Parameters.AddWithValue("name", leaseName);
            await command.ExecuteScalarAsync();
        }

        return new RowLock(connection, transaction);
    }

    private async Task ExecuteAsync(string sql, string leaseName)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("name", leaseName);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    private sealed class RowLock(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
