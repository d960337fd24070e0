using Autopilot.Actors.Persistence.TCK.Postgres;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.ClusterHarness.Cluster;
using Autopilot.Daemon.ClusterHarness.Processes;

namespace Autopilot.Daemon.ClusterTests;

/// <summary>
/// The leader deployed a green commit and dies; the new leader finds the same commit at the head of <c>main</c>, with
/// its checks still green. Deploying it again would be an action repeated by the fail-over.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class GreenCommitFailoverTests(ThrowawayPostgres server, ITestOutputHelper output) : FailoverScenario(server, output)
{
    /// <summary>Observe cycles of the new leader after which a repeated deploy would long have been requested.</summary>
    private const int ObserveCycles = 3;

    [Fact]
    public Task A_new_leader_does_not_deploy_again_the_commit_its_predecessor_deployed() =>
        RunAsync("green-commit", async cluster =>
        {
            var before = await cluster.WaitForLeaderAsync();
            var sha = cluster.Platforms.PushGreenCommit("Speed up checkout");
            await cluster.WaitForAuditAsync(e => e.Is<Oriented>() && e.Field("situation") == "deploy-succeeded" && e.Field("commit") == sha,
                "the green commit to be deployed", Deadline);

            before.Node.Signal(PosixSignal.Kill);
            await before.Node.WaitForExitAsync(Deadline);
            var after = await cluster.WaitForLeaderAsync(except: before.Node, deadline: Deadline);
            // Each observe cycle reads the head's CI runs; by the third, the first cycle's findings have been acted on.
            await Eventually.UntilAsync(
                () => cluster.Platforms.RequestsBy(after.Node.Credentials).Count(r => r.Platform == "github" && r.What.EndsWith("/actions/runs", StringComparison.Ordinal)) >= ObserveCycles,
                $"{ObserveCycles} observe cycles of the new leader", Deadline);

            Assert.Single(cluster.Platforms.RailwayCalls("serviceInstanceDeployV2"));
            Assert.Empty((await cluster.ReadAuditTrailAsync()).Violations());
        });
}
