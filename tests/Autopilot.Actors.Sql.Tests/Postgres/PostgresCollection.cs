using Autopilot.Actors.Persistence.TCK.Postgres;

namespace Autopilot.Actors.Sql.Tests.Postgres;

/// <summary>Every PostgreSQL test class shares one throwaway server (each class gets its own database).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<ThrowawayPostgres>
{
    public const string Name = "postgres";
}
