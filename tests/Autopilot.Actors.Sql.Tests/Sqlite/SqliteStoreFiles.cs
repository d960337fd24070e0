namespace Autopilot.Actors.Sql.Tests.Sqlite;

/// <summary>A temporary directory holding one test's SQLite database file, deleted afterwards.</summary>
public sealed class SqliteStoreFiles : IDisposable
{
    public SqliteStoreFiles()
    {
        Directory.CreateDirectory(DirectoryPath);
    }

    public string DirectoryPath { get; } = Path.Combine(Path.GetTempPath(), $"autopilot-sqlite-{Guid.NewGuid():N}");

    public string DatabasePath => Path.Combine(DirectoryPath, "journal.db");

    public SqliteJournalSettings Settings => new($"Data Source={DatabasePath}");

    public void Dispose()
    {
        if (Directory.Exists(DirectoryPath))
            Directory.Delete(DirectoryPath, recursive: true);
    }
}
