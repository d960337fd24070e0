using Autopilot.Actors.Sql.Sqlite;

namespace Autopilot.Actors.Sql.Tests.Sqlite;

/// <summary>A temporary directory holding one test's SQLite database file, deleted on disposal.</summary>
public sealed class SqliteStoreUnderTest : ISqlStoreUnderTest
{
    public SqliteStoreUnderTest()
    {
        Directory.CreateDirectory(DirectoryPath);
    }

    public string DirectoryPath { get; } = Path.Combine(Path.GetTempPath(), $"autopilot-sqlite-{Guid.NewGuid():N}");

    public string DatabasePath => Path.Combine(DirectoryPath, "journal.db");

    public SqliteJournalSettings Settings => new($"Data Source={DatabasePath}");

    public string Plugin => PersistencePlugins.Sqlite;

    public string ConnectionString => Settings.ConnectionString;

    /// <summary>Nothing to do: SQLite creates the file when the journal first opens it.</summary>
    public Task PrepareAsync() => Task.CompletedTask;

    public IEventJournal CreateJournal(EventSerializer serializer) => new SqliteEventJournal(Settings, serializer, NullLogger.Instance, TimeProvider.System);

    public ISnapshotStore CreateSnapshotStore(EventSerializer serializer) => new SqliteSnapshotStore(Settings, serializer, NullLogger.Instance, TimeProvider.System);

    public ValueTask DisposeAsync()
    {
        if (Directory.Exists(DirectoryPath))
            Directory.Delete(DirectoryPath, recursive: true);
        return ValueTask.CompletedTask;
    }
}
