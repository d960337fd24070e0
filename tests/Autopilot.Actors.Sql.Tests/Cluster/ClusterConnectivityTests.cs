using System.Net;
using System.Net.Sockets;
using Autopilot.Actors.Persistence.Journal;
using Autopilot.Actors.Sql.Cluster;
using Autopilot.Actors.Sql.Connectivity;
using Autopilot.Actors.Sql.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Autopilot.Actors.Sql.Tests.Cluster;

/// <summary>The cluster when PostgreSQL is away at start.</summary>
public sealed class ClusterConnectivityTests
{
    [Fact]
    public async Task An_unreachable_database_at_start_is_retried_with_capped_backoff_and_reported_clearly_without_the_password()
    {
        const string password = "cluster-secret-77";
        var settings = new ClusterSettings($"Host=127.0.0.1;Port={ClosedPort()};Username=autopilot;Password={password};Database=cluster;Timeout=5", "n1")
        {
            StartupBackoff = new RetryBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)),
        };
        var time = new ManualTimeProvider();
        var logger = new TestLogger();
        await using var database = new ClusterDatabase(settings, logger, time);
        var membership = new ClusterMembership(database, settings, logger, time);
        using var stop = new CancellationTokenSource();

        var start = database.StartAsync(stop.Token);
        await Eventually.TrueAsync(() => database.Health.ConsecutiveFailures == 1 && time.PendingTimers == 1, "first failed attempt");
        foreach (var (advance, failures) in new[] { (1, 2), (2, 3), (2, 4) })
        {
            time.Advance(TimeSpan.FromSeconds(advance));
            await Eventually.TrueAsync(() => database.Health.ConsecutiveFailures == failures && time.PendingTimers == 1, $"attempt {failures}");
        }

        Assert.Equal(JournalStatus.Unreachable, database.Health.Status);
        Assert.Contains("127.0.0.1", database.Health.Detail);
        var warnings = logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToArray();
        Assert.Equal(4, warnings.Length);
        Assert.All(warnings, w => Assert.StartsWith("Cluster cannot start", w));
        Assert.Contains("retrying in 00:00:02", warnings[^1]);
        var notStarted = await Assert.ThrowsAsync<ClusterUnavailableException>(() => membership.JoinAsync(CancellationToken.None));
        Assert.Contains("not started", notStarted.Message);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => start);
        Assert.DoesNotContain(password, database.Health.Detail);
        Assert.DoesNotContain(password, notStarted.ToString());
        Assert.DoesNotContain(password, settings.ToString());
        Assert.All(logger.Entries, e => Assert.DoesNotContain(password, e.Message));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
