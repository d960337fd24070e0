using System.Net;
using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Actors.Sql.Cluster;
using Autopilot.Daemon.Cluster;
using Autopilot.Daemon.Tests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.Daemon.Tests.Cluster;

/// <summary>The platform clients of a cluster node send nothing unless the node holds the lease their singleton runs under.</summary>
[Collection(ClusterPostgresCollection.Name)]
public sealed class LeaseGuardHandlerTests(ThrowawayPostgres server)
{
    [Fact]
    public async Task Platform_calls_leave_the_process_only_while_the_lease_they_were_started_under_is_held()
    {
        var db = await server.CreateDatabaseAsync("daemon_lease_guard");
        var settings = new ClusterSettings(db, "guarded") { LeaseDuration = TimeSpan.FromSeconds(30), LeaseRenewInterval = TimeSpan.FromMilliseconds(500), FailureDetectionTimeout = TimeSpan.FromSeconds(120) };
        await using var node = new ClusterNode(settings, "orchestrator", NullLogger.Instance, TimeProvider.System);
        await node.StartAsync(CancellationToken.None);
        await Poll.UntilAsync(() => node.Singleton.HeldToken is not null, "the node to hold the lease", TimeSpan.FromSeconds(90));
        var token = node.Singleton.HeldToken!.Value;
        var platform = new CountingHandler();
        using var current = new HttpClient(new LeaseGuardHandler("railway", new HeldLease(node.Singleton, token), platform));
        using var older = new HttpClient(new LeaseGuardHandler("railway", new HeldLease(node.Singleton, token - 1), new CountingHandler()));

        var answered = await current.GetAsync("http://railway.test/graphql");
        var stale = await Assert.ThrowsAsync<PlatformCallRefusedException>(() => older.GetAsync("http://railway.test/graphql"));
        await node.Singleton.StopAsync(CancellationToken.None);
        var afterLoss = await Assert.ThrowsAsync<PlatformCallRefusedException>(() => current.GetAsync("http://railway.test/graphql"));

        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(1, platform.Requests);
        Assert.Equal(("railway", token - 1, false), (stale.Platform, stale.Token, stale.IsTransient));
        Assert.Equal(token, afterLoss.Token);
        Assert.Contains("no longer holds the orchestrator lease", afterLoss.Message);
    }

    private sealed class CountingHandler : HttpMessageHandler
    {
        private int _requests;

        public int Requests => _requests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
