using Autopilot.Actors.Sql.Connectivity;
using Autopilot.Actors.Sql.Database;
using Microsoft.Data.Sqlite;

namespace Autopilot.Actors.Sql.Sqlite;

/// <summary>
/// One SQLite database file shared by the journal and the snapshot store: opens connections with the durability
/// settings and creates the schema.
/// </summary>
internal sealed class SqliteDatabase : SqlDatabase
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS event_journal (
            ordering        INTEGER PRIMARY KEY AUTOINCREMENT,
            persistence_id  TEXT    NOT NULL,
            sequence_nr     INTEGER NOT NULL,
            written_at      INTEGER NOT NULL, -- UTC ticks
            manifest        TEXT    NOT NULL,
            schema_version  INTEGER NOT NULL,
            payload         BLOB    NOT NULL, -- UTF-8 JSON
            tags            TEXT,             -- JSON array, NULL when untagged
            UNIQUE (persistence_id, sequence_nr)
        );
        -- One row per (tag, event): EventsByTag is a range scan of the primary key in global order.
        CREATE TABLE IF NOT EXISTS event_tag (
            tag       TEXT    NOT NULL,
            ordering  INTEGER NOT NULL,
            PRIMARY KEY (tag, ordering)
        ) WITHOUT ROWID;
        -- Survives deletes: the highest sequence number ever written and the newest fencing token per stream.
        CREATE TABLE IF NOT EXISTS journal_metadata (
            persistence_id       TEXT    NOT NULL PRIMARY KEY,
            highest_sequence_nr  INTEGER NOT NULL,
            fencing_token        INTEGER
        ) WITHOUT ROWID;
        -- The journal-wide fence (IEventJournal.RaiseFenceAsync): one row, token NULL until first raised.
        CREATE TABLE IF NOT EXISTS journal_fence (
            id     INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
            token  INTEGER
        );
        INSERT OR IGNORE INTO journal_fence (id, token) VALUES (1, NULL);
        CREATE TABLE IF NOT EXISTS snapshot_store (
            persistence_id  TEXT    NOT NULL,
            sequence_nr     INTEGER NOT NULL,
            created_at      INTEGER NOT NULL, -- UTC ticks
            manifest        TEXT    NOT NULL,
            schema_version  INTEGER NOT NULL,
            payload         BLOB    NOT NULL,
            PRIMARY KEY (persistence_id, sequence_nr)
        ) WITHOUT ROWID;
        """;

    private readonly string _connectionString;

    /// <summary>The database file <paramref name="settings"/> point at; checks them first.</summary>
    public SqliteDatabase(SqliteJournalSettings settings)
        : this((settings ?? throw new ArgumentNullException(nameof(settings))).ConnectionString)
    {
    }

    private SqliteDatabase(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true };
        if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.Mode == SqliteOpenMode.Memory || builder.DataSource == ":memory:")
            throw new ArgumentException("The SQLite journal needs a database file (Data Source=path).", nameof(connectionString));
        if (builder.DefaultTimeout < 30)
            builder.DefaultTimeout = 30;
        _connectionString = builder.ToString();
        Connection = new RedactedConnection(connectionString, b => $"SQLite {RedactedConnection.Value(b, "Data Source") ?? RedactedConnection.Value(b, "DataSource")}");
    }

    /// <inheritdoc />
    public override RedactedConnection Connection { get; }

    /// <summary>
    /// Opens a connection with durable settings: WAL (readers never block the writer) and synchronous=FULL (a commit
    /// returns only after the WAL is fsynced, so an acknowledged write survives power loss).
    /// </summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var pragmas = connection.CreateCommand();
            pragmas.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates the tables if missing; safe to run from several processes at once.</summary>
    public override async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction(deferred: false);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Schema;
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    /// <summary>Closes idle pooled connections so the file is released when the store stops.</summary>
    public override ValueTask DisposeAsync()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await OpenAsync(cancellationToken).ConfigureAwait(false);
}
