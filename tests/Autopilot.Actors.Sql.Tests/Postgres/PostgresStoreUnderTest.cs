using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Actors.Sql.Postgres;

namespace Autopilot.Actors.Sql.Tests.Postgres;

/// <summary>
/// A fresh database on the shared throwaway server, named after <paramref name="purpose"/>. Disposal leaves it in
/// place: it goes with the server.
/// </summary>
public sealed class PostgresStoreUnderTest(ThrowawayPostgres server, string purpose) : ISqlStoreUnderTest
{
    private string? _connectionString;

    public string Plugin => PersistencePlugins.PostgreSql;

    public string ConnectionString => _connectionString ?? throw new InvalidOperationException($"The database is created by {nameof(PrepareAsync)}.");

    public async Task PrepareAsync() => _connectionString = await server.CreateDatabaseAsync(purpose);

    public IEventJournal CreateJournal(EventSerializer serializer) => new PostgresEventJournal(new PostgresJournalSettings(ConnectionString), serializer, NullLogger.Instance, TimeProvider.System);

    public ISnapshotStore CreateSnapshotStore(EventSerializer serializer) => new PostgresSnapshotStore(new PostgresJournalSettings(ConnectionString), serializer, NullLogger.Instance, TimeProvider.System);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
