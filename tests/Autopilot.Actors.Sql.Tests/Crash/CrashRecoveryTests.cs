using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Actors.Sql.Tests.Postgres;
using Autopilot.Actors.Sql.Tests.Sqlite;

namespace Autopilot.Actors.Sql.Tests.Crash;

public sealed class SqliteCrashRecoveryTests : CrashRecoverySpec
{
    private readonly SqliteStoreFiles _files = new();

    protected override string Plugin => PersistencePlugins.Sqlite;

    protected override string ConnectionString => _files.Settings.ConnectionString;

    public override Task InitializeAsync() => Task.CompletedTask;

    public override Task DisposeAsync()
    {
        _files.Dispose();
        return Task.CompletedTask;
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresCrashRecoveryTests(ThrowawayPostgres server) : CrashRecoverySpec
{
    private string? _connectionString;

    protected override string Plugin => PersistencePlugins.PostgreSql;

    protected override string ConnectionString => _connectionString ?? throw new InvalidOperationException("Not initialized.");

    public override async Task InitializeAsync() => _connectionString = await server.CreateDatabaseAsync("crash");

    public override Task DisposeAsync() => Task.CompletedTask;
}
