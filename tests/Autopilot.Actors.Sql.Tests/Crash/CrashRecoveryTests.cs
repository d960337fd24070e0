using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Actors.Sql.Tests.Postgres;
using Autopilot.Actors.Sql.Tests.Sqlite;

namespace Autopilot.Actors.Sql.Tests.Crash;

public sealed class SqliteCrashRecoveryTests() : CrashRecoverySpec(new SqliteStoreUnderTest());

[Collection(PostgresCollection.Name)]
public sealed class PostgresCrashRecoveryTests(ThrowawayPostgres server) : CrashRecoverySpec(new PostgresStoreUnderTest(server, "crash"));
