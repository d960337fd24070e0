using Autopilot.Actors.Persistence.TCK.Postgres;

namespace Autopilot.Actors.Sql.Tests.Cluster;

/// <summary>
/// The cluster tests share their own throwaway server (each class gets its own database), apart from the journal
/// tests' server.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ClusterPostgresCollection : ICollectionFixture<ThrowawayPostgres>
{
    public const string Name = "cluster-postgres";
}

/// <summary>
/// The PostgreSQL restart test gets a server of its own: it runs alongside the other cluster tests instead of
/// after them, and its restart cannot disturb them.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ClusterRestartPostgresCollection : ICollectionFixture<ThrowawayPostgres>
{
    public const string Name = "cluster-postgres-restart";
}
