using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Persistence.Serialization;
using Autopilot.Actors.Persistence.Snapshots;
using Autopilot.Actors.Persistence.TCK;
using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Actors.Sql.Postgres;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.Actors.Sql.Tests.Postgres;

// Each test gets a fresh database on the shared throwaway server.

[Collection(PostgresCollection.Name)]
public sealed class PostgresJournalSpec(ThrowawayPostgres server) : JournalSpec
{
    private PostgresJournalSettings? _settings;

    protected override async Task PrepareStoreAsync() => _settings = new PostgresJournalSettings(await server.CreateDatabaseAsync(nameof(PostgresJournalSpec)));

    protected override IEventJournal CreateJournal(EventSerializer serializer) => new PostgresEventJournal(_settings!, serializer, NullLogger.Instance, TimeProvider.System);

    protected override ISnapshotStore CreateSnapshotStore(EventSerializer serializer) => new PostgresSnapshotStore(_settings!, serializer, NullLogger.Instance, TimeProvider.System);
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresSnapshotStoreSpec(ThrowawayPostgres server) : SnapshotStoreSpec
{
    private PostgresJournalSettings? _settings;

    protected override async Task PrepareStoreAsync() => _settings = new PostgresJournalSettings(await server.CreateDatabaseAsync(nameof(PostgresSnapshotStoreSpec)));

    protected override IEventJournal CreateJournal(EventSerializer serializer) => new PostgresEventJournal(_settings!, serializer, NullLogger.Instance, TimeProvider.System);

    protected override ISnapshotStore CreateSnapshotStore(EventSerializer serializer) => new PostgresSnapshotStore(_settings!, serializer, NullLogger.Instance, TimeProvider.System);
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresQuerySpec(ThrowawayPostgres server) : PersistenceQuerySpec
{
    private PostgresJournalSettings? _settings;

    protected override async Task PrepareStoreAsync() => _settings = new PostgresJournalSettings(await server.CreateDatabaseAsync(nameof(PostgresQuerySpec)));

    protected override IEventJournal CreateJournal(EventSerializer serializer) => new PostgresEventJournal(_settings!, serializer, NullLogger.Instance, TimeProvider.System);

    protected override ISnapshotStore CreateSnapshotStore(EventSerializer serializer) => new PostgresSnapshotStore(_settings!, serializer, NullLogger.Instance, TimeProvider.System);
}
