using Autopilot.Actors.Persistence.TCK.Postgres;

namespace Autopilot.Daemon.Tests.Cluster;

/// <summary>The clustered daemon tests share one throwaway PostgreSQL server; each test gets its own database.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterPostgresCollection : ICollectionFixture<ThrowawayPostgres>
{
    public const string Name = "daemon-cluster-postgres";
}
