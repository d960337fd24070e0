using Autopilot.Actors;
using Autopilot.Actors.TestKit;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Railway;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Railway;

public sealed class DeploymentMonitorTests(ITestOutputHelper output) : TestKit((string?)null, output, virtualTime: true)
{
    private const string DeploymentId = "d-42";

    private static readonly RailwaySettings Settings = new(
        [],
        DefaultPollInterval: TimeSpan.FromSeconds(5),
        PollIntervals: new Dictionary<DeploymentStatus, TimeSpan> { [DeploymentStatus.Building] = TimeSpan.FromSeconds(30) },
        StabilisationTimeout: TimeSpan.FromMinutes(10),
        StableAfter: TimeSpan.FromSeconds(60),
        LogLines: 50);

    [Theory]
    [InlineData(DeploymentStatus.Failed)]
    [InlineData(DeploymentStatus.Crashed)]
    [InlineData(DeploymentStatus.Removed)]
    [InlineData(DeploymentStatus.Skipped)]
    [InlineData(DeploymentStatus.Sleeping)]
    public void An_outcome_is_reported_and_ends_the_watch(DeploymentStatus outcome)
    {
        var (_, monitor) = Start(outcome);

        var changed = ExpectMsg<DeploymentStatusChanged>();
        Assert.Equal(outcome, changed.Current);
        Assert.Null(changed.Previous);
        Assert.Equal("api", changed.Service);
        Assert.Equal("deploy", changed.Purpose);
        ExpectTerminated(monitor);
    }

    [Theory]
    [InlineData(DeploymentStatus.Queued)]
    [InlineData(DeploymentStatus.Waiting)]
    [InlineData(DeploymentStatus.Initializing)]
    [InlineData(DeploymentStatus.Deploying)]
    [InlineData(DeploymentStatus.NeedsApproval)]
    [InlineData(DeploymentStatus.Removing)]
    [InlineData(DeploymentStatus.Unknown)]
    public void An_unsettled_status_is_reported_once_and_polled_at_the_default_cadence(DeploymentStatus status)
    {
        var (reader, _) = Start(status);

        Assert.Equal(status, ExpectMsg<DeploymentStatusChanged>().Current);
        AwaitCondition(() => reader.Reads == 1);
        Time.Advance(TimeSpan.FromSeconds(5));
        AwaitCondition(() => reader.Reads == 2);
        Time.Advance(TimeSpan.FromSeconds(5));
        AwaitCondition(() => reader.Reads == 3);

        // Same status again: nothing new to report, and the watch goes on.
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Each_status_has_its_own_poll_cadence()
    {
        var (reader, _) = Start(DeploymentStatus.Building);
        ExpectMsg<DeploymentStatusChanged>();
        AwaitCondition(() => reader.Reads == 1);

        Time.Advance(TimeSpan.FromSeconds(25));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, reader.Reads);
        Time.Advance(TimeSpan.FromSeconds(5));
        AwaitCondition(() => reader.Reads == 2);
    }

    [Fact]
    public void A_deployment_walking_to_success_is_reported_step_by_step_and_released_once_stable()
    {
        var (reader, monitor) = Start(DeploymentStatus.Queued);
        Assert.Equal(DeploymentStatus.Queued, ExpectMsg<DeploymentStatusChanged>().Current);

        foreach (var (from, to) in new[] { (DeploymentStatus.Queued, DeploymentStatus.Initializing), (DeploymentStatus.Initializing, DeploymentStatus.Deploying),
                     (DeploymentStatus.Deploying, DeploymentStatus.Success) })
        {
            reader.Status = to;
            Time.Advance(TimeSpan.FromSeconds(5));
            var changed = ExpectMsg<DeploymentStatusChanged>();
            Assert.Equal(from, changed.Previous);
            Assert.Equal(to, changed.Current);
        }

        for (var i = 0; i < 12; i++)
        {
            var reads = reader.Reads;
            Time.Advance(TimeSpan.FromSeconds(5));
            AwaitCondition(() => reader.Reads > reads);
        }

        ExpectTerminated(monitor);
    }

    [Fact]
    public void A_crash_soon_after_success_is_still_reported()
    {
        var (reader, monitor) = Start(DeploymentStatus.Success);
        Assert.Equal(DeploymentStatus.Success, ExpectMsg<DeploymentStatusChanged>().Current);

        reader.Status = DeploymentStatus.Crashed;
        Time.Advance(TimeSpan.FromSeconds(5));

        var crashed = ExpectMsg<DeploymentStatusChanged>();
        Assert.Equal(DeploymentStatus.Success, crashed.Previous);
        Assert.Equal(DeploymentStatus.Crashed, crashed.Current);
        ExpectTerminated(monitor);
    }

    [Fact]
    public void A_deployment_that_never_settles_is_reported_as_hung()
    {
        var (reader, monitor) = Start(DeploymentStatus.Deploying);
        ExpectMsg<DeploymentStatusChanged>();

        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromMinutes(10); elapsed += TimeSpan.FromSeconds(5))
        {
            var reads = reader.Reads;
            Time.Advance(TimeSpan.FromSeconds(5));
            AwaitCondition(() => reader.Reads > reads);
        }

        var hung = ExpectMsg<DeploymentHung>();
        Assert.Equal(DeploymentStatus.Deploying, hung.Status);
        Assert.Equal(DeploymentId, hung.DeploymentId);
        Assert.True(hung.WatchedFor >= TimeSpan.FromMinutes(10));
        ExpectTerminated(monitor);
    }

    [Fact]
    public void A_failing_read_is_retried_at_the_next_poll_without_a_report()
    {
        var (reader, _) = Start(DeploymentStatus.Building);
        ExpectMsg<DeploymentStatusChanged>();
        reader.FailReads(new HttpRequestException("connection reset"));

        Time.Advance(TimeSpan.FromSeconds(30));
        AwaitCondition(() => reader.Reads == 2);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        reader.FailReads(null);
        reader.Status = DeploymentStatus.Failed;
        Time.Advance(TimeSpan.FromSeconds(30));
        var changed = ExpectMsg<DeploymentStatusChanged>();
        Assert.Equal(DeploymentStatus.Building, changed.Previous);
        Assert.Equal(DeploymentStatus.Failed, changed.Current);
    }

    [Fact]
    public void A_rewatch_starts_a_fresh_watch_with_the_new_purpose()
    {
        var (reader, monitor) = Start(DeploymentStatus.Deploying);
        ExpectMsg<DeploymentStatusChanged>();

        monitor.Tell(new DeploymentMonitor.Rewatch("restart"));
        AwaitCondition(() => reader.Reads >= 2);
        reader.Status = DeploymentStatus.Success;
        Time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal("restart", ExpectMsg<DeploymentStatusChanged>().Purpose);
    }

    private (ScriptedDeploymentReader Reader, IActorRef Monitor) Start(DeploymentStatus status)
    {
        var reader = new ScriptedDeploymentReader(DeploymentId, status);
        var monitor = ActorOf(DeploymentMonitor.Props(reader, Settings, TestActor, "api", DeploymentId, "deploy"), DeploymentMonitor.NameFor(DeploymentId));
        Watch(monitor);
        return (reader, monitor);
    }
}
