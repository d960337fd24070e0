using System.Data.Common;
using System.Diagnostics;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Autopilot.Benchmarks.Persistence;

/// <summary>
/// The floor under any journal: the same events written straight into a table of the same shape (ordering,
/// persistence id, sequence number, payload; unique per id and number) with plain ADO.NET, one transaction per write,
/// and read back with one query. What Akka.Persistence.Sql adds on top is the difference to this row.
/// </summary>
internal sealed class RawDatabaseCase : IPersistenceCase
{
    private readonly Func<DbConnection> _connect;
    private readonly bool _postgres;
    private readonly string? _sqliteSynchronous;

    private RawDatabaseCase(string backEnd, Func<DbConnection> connect, bool postgres, string? sqliteSynchronous)
    {
        BackEnd = backEnd;
        _connect = connect;
        _postgres = postgres;
        _sqliteSynchronous = sqliteSynchronous;
    }

    public string BackEnd { get; }

    public string Name => _postgres ? "raw ADO.NET" : $"raw ADO.NET, WAL, synchronous={_sqliteSynchronous}";

    /// <summary>SQLite in WAL mode with the given <c>synchronous</c> setting, as the daemon's journal runs.</summary>
    public static async Task<RawDatabaseCase> SqliteAsync(string path, string synchronous)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 60 }.ToString();
        var raw = new RawDatabaseCase("SQLite", () => new SqliteConnection(connectionString), postgres: false, synchronous);
        await raw.CreateTableAsync("PRAGMA journal_mode=WAL; CREATE TABLE raw_journal (ordering INTEGER PRIMARY KEY AUTOINCREMENT, "
            + "persistence_id TEXT NOT NULL, sequence_nr INTEGER NOT NULL, payload BLOB NOT NULL, UNIQUE (persistence_id, sequence_nr))");
        return raw;
    }

    public static async Task<RawDatabaseCase> PostgresAsync(string connectionString)
    {
        var raw = new RawDatabaseCase("PostgreSQL", () => new NpgsqlConnection(connectionString), postgres: true, null);
        await raw.CreateTableAsync("CREATE TABLE raw_journal (ordering BIGSERIAL PRIMARY KEY, persistence_id TEXT NOT NULL, "
            + "sequence_nr BIGINT NOT NULL, payload BYTEA NOT NULL, UNIQUE (persistence_id, sequence_nr))");
        return raw;
    }

    public async Task<ThroughputResult> WriteAsync(int writers, int batch, TimeSpan duration)
    {
        var run = Guid.NewGuid().ToString("N");
        var started = Stopwatch.GetTimestamp();
        var results = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            await using var connection = await OpenAsync();
            var latencies = new List<double>();
            var next = 1L;
            while (Stopwatch.GetElapsedTime(started) < duration)
            {
                var begun = Stopwatch.GetTimestamp();
                await InsertAsync(connection, $"raw-{run}-{w}", next, batch);
                latencies.Add(Stopwatch.GetElapsedTime(begun).TotalMilliseconds);
                next += batch;
            }

            return (Events: next - 1, Latencies: latencies);
        })));
        return ThroughputResult.From(results.Sum(r => r.Events), Stopwatch.GetElapsedTime(started), results.SelectMany(r => r.Latencies));
    }

    public async Task FillAsync(string persistenceId, int events)
    {
        await using var connection = await OpenAsync();
        for (var from = 1L; from <= events; from += 1000)
            await InsertAsync(connection, persistenceId, from, (int)Math.Min(1000, events - from + 1));
    }

    public async Task<TimeSpan> RecoverAsync(string persistenceId, int expected)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await OpenAsync();
        await using var select = connection.CreateCommand();
        select.CommandText = "SELECT sequence_nr, payload FROM raw_journal WHERE persistence_id = @pid ORDER BY sequence_nr";
        AddParameter(select, "pid", persistenceId);
        var count = 0;
        await using (var reader = await select.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                _ = Encoding.UTF8.GetString((byte[])reader[1]);
                count++;
            }
        }

        clock.Stop();
        if (count != expected)
            throw new InvalidOperationException($"Read {count} rows, expected {expected}.");
        return clock.Elapsed;
    }

    private async Task CreateTableAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var create = connection.CreateCommand();
        create.CommandText = sql;
        await create.ExecuteNonQueryAsync();
    }

    private async Task<DbConnection> OpenAsync()
    {
        var connection = _connect();
        await connection.OpenAsync();
        if (_sqliteSynchronous is { } synchronous)
        {
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = $"PRAGMA synchronous={synchronous}; PRAGMA busy_timeout=60000";
            await pragma.ExecuteNonQueryAsync();
        }

        return connection;
    }

    private static async Task InsertAsync(DbConnection connection, string persistenceId, long from, int count)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO raw_journal (persistence_id, sequence_nr, payload) VALUES (@pid, @seq, @payload)";
        var pid = AddParameter(insert, "pid", persistenceId);
        var seq = AddParameter(insert, "seq", 0L);
        var payload = AddParameter(insert, "payload", Array.Empty<byte>());
        for (var i = 0; i < count; i++)
        {
            pid.Value = persistenceId;
            seq.Value = from + i;
            payload.Value = Encoding.UTF8.GetBytes($"benchmark event {from + i:D12} " + new string('x', 70));
            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    private static DbParameter AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
