using Autopilot.Actors.Persistence.TCK.Postgres;

namespace Autopilot.Actors.Sql.Tests.Cluster;

/// <summary>
/// The cluster tests share their own throwaway server (each class gets its own database): one of them restarts
/// PostgreSQL, which must not disturb the journal tests running in parallel on the other server.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ClusterPostgresCollection : ICollectionFixture<ThrowawayPostgres>
{
    public const string Name = "cluster-postgres";
}
