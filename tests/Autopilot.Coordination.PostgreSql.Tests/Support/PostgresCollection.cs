using Autopilot.Testing.PostgreSql;

namespace Autopilot.Coordination.PostgreSql.Tests.Support;

/// <summary>One throwaway PostgreSQL server for the whole run; the classes of this collection run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<ThrowawayPostgres>
{
    public const string Name = "postgres";
}
