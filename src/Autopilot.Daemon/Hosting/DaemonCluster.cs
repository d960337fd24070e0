using Akka.Cluster.Hosting;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Autopilot.Coordination.PostgreSql;
using Autopilot.Daemon.Configuration;

namespace Autopilot.Daemon.Hosting;

/// <summary>
/// Clustered mode on Akka.Cluster.Hosting: Akka.Remote on the configured address, Akka.Cluster joining the seed nodes,
/// and the PostgreSQL lease the singletons use (<c>akka.cluster.singleton.use-lease</c> in the daemon's reference.conf).
/// The Split Brain Resolver and every timing are plain <c>akka.cluster.*</c> keys of the daemon's configuration, which is
/// layered on top afterwards, so an operator tunes them the way the Akka documentation describes.
/// </summary>
public static class DaemonCluster
{
    /// <summary>Adds remoting, clustering and the lease plugin to <paramref name="akka"/>.</summary>
    public static void Configure(AkkaConfigurationBuilder akka, ClusterSettings cluster)
    {
        ArgumentNullException.ThrowIfNull(akka);
        ArgumentNullException.ThrowIfNull(cluster);
        akka.WithRemoting(new RemoteOptions
        {
            HostName = cluster.Hostname,
            PublicHostName = cluster.PublicHostname,
            Port = cluster.Port,
        });
        akka.WithClustering(new ClusterOptions
        {
            SeedNodes = cluster.SeedNodes.ToArray(),
            Roles = cluster.Roles.ToArray(),
        });
        // The plugin's defaults (lease-class, table) under the daemon's keys, and the resolved connection string on top.
        akka.AddHocon(PostgreSqlLease.DefaultConfig(), HoconAddMode.Append);
        akka.AddHocon(ConfigurationFactory.ParseString(
            $"{PostgreSqlLease.DefaultConfigPath}.connection-string = {Quoted(cluster.LeaseConnectionString ?? "")}"), HoconAddMode.Prepend);
    }

    private static string Quoted(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
