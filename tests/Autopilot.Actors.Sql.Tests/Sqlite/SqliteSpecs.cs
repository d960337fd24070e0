using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.Serialization;
using Autopilot.Actors.Persistence.Snapshots;
using Autopilot.Actors.Persistence.TCK;
using Autopilot.Actors.Sql.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.Actors.Sql.Tests.Sqlite;

// Each test gets its own database file in a temporary directory.

public sealed class SqliteJournalSpec : JournalSpec
{
    private readonly SqliteStoreFiles _files = new();

    protected override IEventJournal CreateJournal(EventSerializer serializer) => new SqliteEventJournal(_files.Settings, serializer, NullLogger.Instance, TimeProvider.System);

    protected override ISnapshotStore CreateSnapshotStore(EventSerializer serializer) => new SqliteSnapshotStore(_files.Settings, serializer, NullLogger.Instance, TimeProvider.System);

    protected override Task CleanupStoreAsync()
    {
        _files.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class SqliteSnapshotStoreSpec : SnapshotStoreSpec
{
    private readonly SqliteStoreFiles _files = new();

    protected override IEventJournal CreateJournal(EventSerializer serializer) => new SqliteEventJournal(_files.Settings, serializer, NullLogger.Instance, TimeProvider.System);

    protected override ISnapshotStore CreateSnapshotStore(EventSerializer serializer) => new SqliteSnapshotStore(_files.Settings, serializer, NullLogger.Instance, TimeProvider.System);

    protected override Task CleanupStoreAsync()
    {
        _files.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class SqliteQuerySpec : PersistenceQuerySpec
{
    private readonly SqliteStoreFiles _files = new();

    protected override IEventJournal CreateJournal(EventSerializer serializer) => new SqliteEventJournal(_files.Settings, serializer, NullLogger.Instance, TimeProvider.System);

    protected override ISnapshotStore CreateSnapshotStore(EventSerializer serializer) => new SqliteSnapshotStore(_files.Settings, serializer, NullLogger.Instance, TimeProvider.System);

    protected override Task CleanupStoreAsync()
    {
        _files.Dispose();
        return Task.CompletedTask;
    }
}
