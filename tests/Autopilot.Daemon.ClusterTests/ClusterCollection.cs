using Autopilot.Actors.Persistence.TCK.Postgres;

namespace Autopilot.Daemon.ClusterTests;

/// <summary>
/// The fail-over scenarios share one throwaway PostgreSQL server (each gets its own database) and run one after the
/// other: three daemons each are all a shared 2-core machine should carry at once.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ThrowawayPostgres>
{
    public const string Name = "cluster";
}
