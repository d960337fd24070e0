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
/// <c>snapshot</c>), which the daemon does not change; it adds a column, an index and its own tag index (see
/// <see cref="UpgradeSchemaAsync"/>).
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
            try
            {
                // An existing journal gets what the daemon adds before anything reads it.
                UpgradeSchemaAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (DbException)
            {
                // Not answering yet: the journal probe reports it, and upgrades once it answers.
            }

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
    /// <c>EventsByPersistenceId</c> reads one stream instead of scanning the table;</item>
    /// <item>the tag index (<see cref="TagIndexTable"/>): <c>(tag, ordering)</c> rows kept by triggers on the journal from
    /// its CSV <c>tags</c> column, filled from the existing rows when it is created. The journal writes tags only to the
    /// column (<c>tag-write-mode = Csv</c>): in the plugin's tag-table modes every tagged event of a batch is inserted on
    /// its own round trip to read back its ordering, where the column lets a whole batch go in one multi-row insert
    /// (docs/performance.md). The index serves the daemon's newest-first reads (<see cref="OffsetBeforeNewestAsync"/>),
    /// which the column cannot answer without scanning the journal.</item>
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
        var sqlite = _selection.IsSqlite;
        if (sqlite)
        {
            // The journal writes meanwhile: wait for its lock instead of failing at once.
            await ExecuteAsync(connection, null, "PRAGMA busy_timeout=10000;", cancellationToken).ConfigureAwait(false);
        }

        if (await CountAsync(connection, null, sqlite
                ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'journal'"
                : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'journal'", cancellationToken).ConfigureAwait(false) == 0)
        {
            return;
        }

        if (await CountAsync(connection, null, sqlite
                ? "SELECT COUNT(*) FROM pragma_table_info('journal') WHERE name = 'tags'"
                : "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'journal' AND column_name = 'tags'",
                cancellationToken).ConfigureAwait(false) == 0)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, sqlite
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
                  """, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, null, "CREATE INDEX IF NOT EXISTS journal_persistence_id_sequence_number_idx ON journal (persistence_id, sequence_number)",
            cancellationToken).ConfigureAwait(false);
        await EnsureTagIndexAsync(connection, cancellationToken).ConfigureAwait(false);
        _schemaUpgraded = true;
    }

    /// <summary>The daemon's own index of the journal's tags: one row per (tag, ordering), kept by triggers.</summary>
    public const string TagIndexTable = "journal_tag_index";

    /// <summary>
    /// Creates the tag index, its triggers and its rows for the events already journaled, in one transaction that holds
    /// the journal's write lock (SQLite: <c>BEGIN IMMEDIATE</c>; PostgreSQL: a lock mode that excludes inserts and other
    /// nodes doing the same), so every event is indexed: those committed before by the fill, later ones by the trigger.
    /// Nothing is locked when the insert trigger exists already (every start after the first).
    /// </summary>
    private async Task EnsureTagIndexAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var sqlite = _selection.IsSqlite;
        var triggerExists = sqlite
            ? $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name = '{TagIndexTable}_insert'"
            : $"SELECT COUNT(*) FROM pg_trigger WHERE tgname = '{TagIndexTable}_insert' AND tgrelid = 'journal'::regclass";
        if (await CountAsync(connection, null, triggerExists, cancellationToken).ConfigureAwait(false) > 0)
        {
            return;
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (!sqlite)
        {
            // Self-exclusive and exclusive of inserts: concurrent writers wait until the trigger exists.
            await ExecuteAsync(connection, transaction, "LOCK TABLE journal IN SHARE ROW EXCLUSIVE MODE", cancellationToken).ConfigureAwait(false);
        }

        // Asked again under the lock: another node may have created it meanwhile.
        if (await CountAsync(connection, transaction, triggerExists, cancellationToken).ConfigureAwait(false) == 0)
        {
            await ExecuteAsync(connection, transaction, sqlite ? SqliteTagIndex : PostgreSqlTagIndex, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> CountAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    // SQLite has no split function and allows no WITH inside a trigger: the ";a;b;" column becomes the JSON array
    // ["","a","b",""] for json_each (quotes and backslashes escaped; a value that still is not JSON is left unindexed
    // rather than failing the journal's write).
    private static string SqliteTagsOf(string row) =>
        $"""(SELECT CASE WHEN json_valid(j) THEN j ELSE '[]' END FROM (SELECT '["' || replace(replace(replace({row}.tags, '\', '\\'), '"', '\"'), ';', '","') || '"]' AS j))""";

    private static readonly string SqliteTagIndex = $"""
        CREATE TABLE IF NOT EXISTS {TagIndexTable} (tag TEXT NOT NULL, ordering INTEGER NOT NULL, PRIMARY KEY (tag, ordering)) WITHOUT ROWID;
        CREATE TRIGGER {TagIndexTable}_insert AFTER INSERT ON journal WHEN NEW.tags IS NOT NULL
        BEGIN
          INSERT OR IGNORE INTO {TagIndexTable} (tag, ordering)
          SELECT t.value, NEW.ordering FROM json_each({SqliteTagsOf("NEW")}) t WHERE t.value <> '';
        END;
        CREATE TRIGGER {TagIndexTable}_delete AFTER DELETE ON journal WHEN OLD.tags IS NOT NULL
        BEGIN
          DELETE FROM {TagIndexTable} WHERE ordering = OLD.ordering AND tag IN (SELECT t.value FROM json_each({SqliteTagsOf("OLD")}) t);
        END;
        INSERT OR IGNORE INTO {TagIndexTable} (tag, ordering)
        SELECT t.value, journal.ordering FROM journal, json_each({SqliteTagsOf("journal")}) t WHERE journal.tags IS NOT NULL AND t.value <> '';
        """;

    // Statement-level triggers: the plugin inserts a batch with one statement, whose rows' tags are split from the
    // transition table by one INSERT.
    private static readonly string PostgreSqlTagIndex = $"""
        CREATE TABLE IF NOT EXISTS {TagIndexTable} (tag varchar(100) NOT NULL, ordering bigint NOT NULL, PRIMARY KEY (tag, ordering));
        CREATE OR REPLACE FUNCTION {TagIndexTable}_add() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO {TagIndexTable} (tag, ordering)
          SELECT t, n.ordering FROM added n, unnest(string_to_array(n.tags, ';')) t WHERE n.tags IS NOT NULL AND t <> ''
          ON CONFLICT DO NOTHING;
          RETURN NULL;
        END $$;
        CREATE OR REPLACE FUNCTION {TagIndexTable}_remove() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          DELETE FROM {TagIndexTable} i USING removed o, unnest(string_to_array(o.tags, ';')) t
           WHERE o.tags IS NOT NULL AND i.tag = t AND i.ordering = o.ordering;
          RETURN NULL;
        END $$;
        CREATE TRIGGER {TagIndexTable}_insert AFTER INSERT ON journal REFERENCING NEW TABLE AS added
          FOR EACH STATEMENT EXECUTE FUNCTION {TagIndexTable}_add();
        CREATE TRIGGER {TagIndexTable}_delete AFTER DELETE ON journal REFERENCING OLD TABLE AS removed
          FOR EACH STATEMENT EXECUTE FUNCTION {TagIndexTable}_remove();
        INSERT INTO {TagIndexTable} (tag, ordering)
        SELECT t, j.ordering FROM journal j, unnest(string_to_array(j.tags, ';')) t WHERE j.tags IS NOT NULL AND t <> ''
        ON CONFLICT DO NOTHING;
        """;

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
    public Task<long> OffsetBeforeNewestAsync(string tag, int count, CancellationToken cancellationToken) =>
        QueryTagIndexAsync($"SELECT ordering FROM {TagIndexTable} WHERE tag = @tag ORDER BY ordering DESC LIMIT 1 OFFSET @skip",
            command =>
            {
                AddParameter(command, "@tag", tag);
                AddParameter(command, "@skip", Math.Max(0, count - 1));
            },
            ordering => Math.Max(0, ordering - 1), cancellationToken);

    /// <summary>The global offset of the newest event carrying <paramref name="tag"/> (0 when none): a live tail starts after it.</summary>
    public Task<long> NewestOffsetAsync(string tag, CancellationToken cancellationToken) =>
        QueryTagIndexAsync($"SELECT MAX(ordering) FROM {TagIndexTable} WHERE tag = @tag", command => AddParameter(command, "@tag", tag),
            ordering => ordering, cancellationToken);

    /// <summary>
    /// One ordering from the tag index, mapped by <paramref name="answer"/>; 0 when there is none. Until the schema
    /// upgrade created the index (a fresh journal in its first seconds: an existing one is upgraded before the daemon
    /// reads it) the answer is 0, the journal's start. If the index appeared meanwhile, the query is asked again.
    /// </summary>
    private async Task<long> QueryTagIndexAsync(string sql, Action<DbCommand> parameters, Func<long, long> answer, CancellationToken cancellationToken)
    {
        async Task<long> AskAsync()
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            parameters(command);
            var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is null or DBNull ? 0 : answer(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
        }

        try
        {
            return await AskAsync().ConfigureAwait(false);
        }
        catch (DbException) when (!cancellationToken.IsCancellationRequested)
        {
            if (!await TagIndexExistsAsync(cancellationToken).ConfigureAwait(false))
            {
                return 0;
            }
        }

        return await AskAsync().ConfigureAwait(false);
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

    private async Task<bool> TagIndexExistsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM {TagIndexTable} WHERE 1 = 0";
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
