using System.Data.Common;
using Autopilot.Daemon.Configuration;
using LinqToDB;
using LinqToDB.Data;
using LinqToDB.Interceptors;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Autopilot.Daemon.Persistence;

/// <summary>
/// The database under Akka.Persistence.Sql: prepares it before Akka opens it (SQLite: WAL mode, which is stored in the
/// file; <c>inmem</c>: a connection that keeps the private in-memory database alive), gives the linq2db
/// <see cref="DataOptions"/> the journal, snapshot store and read journal share (SQLite's <c>synchronous</c> set on
/// every connection they open), and answers two cheap direct reads: a health probe and where a tag's newest events sit
/// in the journal's global order (so audit pages start near the end instead of replaying the whole journal).
/// </summary>
/// <remarks>
/// Table and column names are those of Akka.Persistence.Sql's <c>default</c> table mapping (<c>journal</c>,
/// <c>tags</c>, <c>snapshot</c>), which the daemon does not change.
/// </remarks>
public sealed class JournalDatabase : IAsyncDisposable
{
    private readonly JournalSelection _selection;
    private SqliteConnection? _keepAlive;
    private volatile bool _schemaUpgraded;

    /// <summary>Describes the database; nothing is opened yet.</summary>
    public JournalDatabase(JournalSelection selection)
    {
        _selection = selection;
    }

    /// <summary>The back end (<c>inmem</c>, <c>sqlite</c> or <c>postgresql</c>).</summary>
    public string Plugin => _selection.Plugin;

    /// <summary>linq2db's provider name for Akka.Persistence.Sql.</summary>
    public string ProviderName => _selection.IsSqlite ? LinqToDB.ProviderName.SQLiteMS : LinqToDB.ProviderName.PostgreSQL15;

    /// <summary>
    /// Makes the database ready for Akka: creates the SQLite file's directory and switches the file to WAL (a no-op when
    /// it already is); for <c>inmem</c> opens the connection that keeps the memory database alive until disposal.
    /// </summary>
    public void Prepare()
    {
        if (!_selection.IsSqlite)
        {
            return;
        }

        var builder = new SqliteConnectionStringBuilder(_selection.ConnectionString);
        if (_selection.Plugin == JournalSelection.InMemory)
        {
            _keepAlive ??= Open();
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        using (var connection = Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "PRAGMA journal_mode=WAL;";
            var mode = command.ExecuteScalar() as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"SQLite refused WAL mode for the journal file (it reports '{mode}').");
            }
        }

        UpgradeSchemaAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>True once the journal is known to have the tag column and the stream index (see <see cref="UpgradeSchemaAsync"/>).</summary>
    public bool SchemaUpgraded => _schemaUpgraded;

    /// <summary>
    /// What the journal needs beyond the tables Akka.Persistence.Sql creates, added once it exists:
    /// <list type="bullet">
    /// <item>the CSV <c>tags</c> column on a journal created before the daemon wrote tags in both forms, filled from the
    /// tag table. The daemon reads tags from that column (<c>tag-read-mode = Csv</c>): the plugin's tag-table read
    /// aggregates each returned row's tags with a subquery that scans the whole tag table, so every <c>EventsByTag</c>
    /// poll grew with the journal (docs/performance.md);</item>
    /// <item>an index on <c>(persistence_id, sequence_number)</c>, which the plugin's schema lacks, so a recovery or an
    /// <c>EventsByPersistenceId</c> reads one stream instead of scanning the table.</item>
    /// </list>
    /// Idempotent, and safe when several nodes run it at once; until Akka has created the journal there is nothing to do
    /// and the journal probe calls it again.
    /// </summary>
    public async Task UpgradeSchemaAsync(CancellationToken cancellationToken)
    {
        if (_schemaUpgraded)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        if (_selection.IsSqlite)
        {
            // The journal writes meanwhile: wait for its lock instead of failing at once.
            await using var busy = connection.CreateCommand();
            busy.CommandText = "PRAGMA busy_timeout=10000;";
            await busy.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        async Task<object?> ScalarAsync(string sql)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }

        var sqlite = _selection.IsSqlite;
        var journalExists = await ScalarAsync(sqlite
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'journal'"
            : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'journal'").ConfigureAwait(false);
        if (Convert.ToInt64(journalExists, System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return;
        }

        var columnExists = await ScalarAsync(sqlite
            ? "SELECT COUNT(*) FROM pragma_table_info('journal') WHERE name = 'tags'"
            : "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'journal' AND column_name = 'tags'").ConfigureAwait(false);
        if (Convert.ToInt64(columnExists, System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sqlite
                ? """
                  ALTER TABLE journal ADD COLUMN tags NVarChar(100) NULL;
                  UPDATE journal SET tags = ';' || (SELECT group_concat(t.tag, ';') FROM tags t WHERE t.ordering_id = journal.ordering) || ';'
                   WHERE ordering IN (SELECT ordering_id FROM tags);
                  """
                : """
                  ALTER TABLE journal ADD COLUMN IF NOT EXISTS tags varchar(100) NULL;
                  UPDATE journal j SET tags = ';' || s.tags || ';'
                    FROM (SELECT ordering_id, string_agg(tag, ';') AS tags FROM tags GROUP BY ordering_id) s
                   WHERE s.ordering_id = j.ordering AND j.tags IS NULL;
                  """;
            command.CommandTimeout = 0;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var index = connection.CreateCommand())
        {
            index.CommandText = "CREATE INDEX IF NOT EXISTS journal_persistence_id_sequence_number_idx ON journal (persistence_id, sequence_number)";
            index.CommandTimeout = 0;
            await index.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        _schemaUpgraded = true;
    }

    /// <summary>The options Akka.Persistence.Sql uses for every connection (journal, snapshots, read journal).</summary>
    public DataOptions DataOptions()
    {
        var options = new DataOptions().UseConnectionString(ProviderName, _selection.ConnectionString);
        return _selection.IsSqlite ? options.UseInterceptor(new SqlitePragmas(_selection.Synchronous)) : options;
    }

    /// <summary>
    /// A cheap round trip to the database, for <c>/health</c> and <c>/ready</c>. On a SQLite file it takes the write lock
    /// and lets it go at once (<c>BEGIN IMMEDIATE; ROLLBACK</c>, nothing written), so a file the journal cannot write
    /// to — locked by another process, read-only — fails the probe, not only an unreachable one.
    /// </summary>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <param name="timeout">Longest wait for a lock another connection holds (SQLite), or null for the provider's default.</param>
    /// <exception cref="DbException">The database did not answer, or its write lock could not be taken in time.</exception>
    public async Task ProbeAsync(CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = _selection.Plugin == JournalSelection.Sqlite ? "BEGIN IMMEDIATE; ROLLBACK;" : "SELECT 1";
        if (timeout is { } limit)
        {
            command.CommandTimeout = Math.Max(1, (int)Math.Ceiling(limit.TotalSeconds));
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The global offset just before the <paramref name="count"/>-th newest event carrying <paramref name="tag"/> (0 when
    /// there are fewer), i.e. where an <c>EventsByTag</c> query starts to return those newest events.
    /// </summary>
    public async Task<long> OffsetBeforeNewestAsync(string tag, int count, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT ordering_id FROM tags WHERE tag = @tag ORDER BY ordering_id DESC LIMIT 1 OFFSET @skip";
            AddParameter(command, "@tag", tag);
            AddParameter(command, "@skip", Math.Max(0, count - 1));
            var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is null or DBNull ? 0 : Math.Max(0, Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) - 1);
        }
        catch (DbException) when (!cancellationToken.IsCancellationRequested)
        {
            // Before the first write the tables may not exist yet: nothing is tagged then.
            if (await TablesExistAsync(cancellationToken).ConfigureAwait(false))
            {
                throw;
            }

            return 0;
        }
    }

    /// <summary>The global offset of the newest event carrying <paramref name="tag"/> (0 when none): a live tail starts after it.</summary>
    public async Task<long> NewestOffsetAsync(string tag, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT MAX(ordering_id) FROM tags WHERE tag = @tag";
            AddParameter(command, "@tag", tag);
            var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is null or DBNull ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (DbException) when (!cancellationToken.IsCancellationRequested)
        {
            // Before the first write the tables may not exist yet: nothing is tagged then.
            if (await TablesExistAsync(cancellationToken).ConfigureAwait(false))
            {
                throw;
            }

            return 0;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_keepAlive is not null)
        {
            await _keepAlive.DisposeAsync().ConfigureAwait(false);
            _keepAlive = null;
        }
    }

    private async Task<bool> TablesExistAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM tags WHERE 1 = 0";
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbException)
        {
            return false;
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_selection.ConnectionString);
        connection.Open();
        return connection;
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        DbConnection connection = _selection.IsSqlite ? new SqliteConnection(_selection.ConnectionString) : new NpgsqlConnection(_selection.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>Sets <c>PRAGMA synchronous</c> (and a busy timeout) on every connection linq2db opens for Akka.</summary>
    private sealed class SqlitePragmas(SqliteSynchronous synchronous) : ConnectionInterceptor
    {
        private readonly string _pragmas = $"PRAGMA synchronous={(synchronous == SqliteSynchronous.Full ? "FULL" : "NORMAL")}; PRAGMA busy_timeout=10000;";

        public override void ConnectionOpened(ConnectionEventData eventData, DbConnection connection)
        {
            using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            command.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(ConnectionEventData eventData, DbConnection connection, CancellationToken cancellationToken)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
