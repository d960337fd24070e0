using Autopilot.Actors.Sql.Sqlite;
using Microsoft.Data.Sqlite;

namespace Autopilot.Actors.Sql.Tests.Sqlite;

/// <summary>
/// WAL mode is set once, when a store starts, rather than on every connection it opens: it must therefore be a
/// property of the database file that every later connection (another reader, another process) sees.
/// </summary>
public sealed class SqliteFileModeTests : IAsyncLifetime
{
    private readonly SqliteStoreUnderTest _store = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task Starting_the_journal_leaves_a_new_database_file_in_WAL_mode_for_every_later_connection()
    {
        await using (var journal = _store.CreateJournal(new EventSerializer()))
        {
            await journal.StartAsync(CancellationToken.None);
        }

        Assert.Equal("wal", await JournalModeSeenByAFreshConnectionAsync());
    }

    [Fact]
    public async Task Starting_the_snapshot_store_alone_also_puts_the_file_in_WAL_mode()
    {
        await using (var snapshots = _store.CreateSnapshotStore(new EventSerializer()))
        {
            await snapshots.StartAsync(CancellationToken.None);
        }

        Assert.Equal("wal", await JournalModeSeenByAFreshConnectionAsync());
    }

    private async Task<string> JournalModeSeenByAFreshConnectionAsync()
    {
        // No pooling: a connection of the stores' pool could carry state of its own; this one knows only the file.
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _store.DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
