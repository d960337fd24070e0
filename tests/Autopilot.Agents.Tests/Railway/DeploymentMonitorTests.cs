using System.Collections.Concurrent;
using Akka.Actor;
using Akka.TestKit;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Railway;
using Autopilot.Agents.Tests.Support;
using Autopilot.Platforms.Railway;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Railway;

public sealed class DeploymentMonitorTests(ITestOutputHelper output) : AgentsTestKit(output)
{
    private const string DeploymentId = "d-42";

    // Virtual time runs ahead of the monitor's real reads, so only the test about hangs keeps a stabilisation timeout
    // that this clock can reach: in the others a slow machine would otherwise end the watch as hung mid-test.
    private static readonly RailwaySettings MonitorSettings = new(
        [],
        DefaultPollInterval: TimeSpan.FromSeconds(5),
        PollIntervals: new Dictionary<DeploymentStatus, TimeSpan> { [DeploymentStatus.Building] = TimeSpan.FromSeconds(30) },
        StabilisationTimeout: TimeSpan.FromDays(1),
        StableAfter: TimeSpan.FromSeconds(60),
        LogLines: 50);

    private static readonly RailwaySettings HangSettings = MonitorSettings with { StabilisationTimeout = TimeSpan.FromMinutes(10) };

    private readonly ConcurrentQueue<object> _reports = new();
    private IActorRef? _monitor;

    private IReadOnlyList<DeploymentStatusChanged> Changes => _reports.OfType<DeploymentStatusChanged>().ToArray();

    private bool Stopped => _reports.OfType<Terminated>().Any();

    [Theory]
    [InlineData(DeploymentStatus.Failed)]
    [InlineData(DeploymentStatus.Crashed)]
    [InlineData(DeploymentStatus.Removed)]
    [InlineData(DeploymentStatus.Skipped)]
    [InlineData(DeploymentStatus.Sleeping)]
    public void An_outcome_is_reported_and_ends_the_watch(DeploymentStatus outcome)
    {
        Start(outcome);

        AwaitCondition(() => Stopped && Changes.Count == 1);
        var changed = Assert.Single(Changes);
        Assert.Equal(outcome, changed.Current);
        Assert.Null(changed.Previous);
        Assert.Equal("api", changed.Service);
        Assert.Equal("deploy", changed.Purpose);
    }

    [Theory]
    [InlineData(DeploymentStatus.Queued)]
    [InlineData(DeploymentStatus.Waiting)]
    [InlineData(DeploymentStatus.Initializing)]
    [InlineData(DeploymentStatus.Deploying)]
    [InlineData(DeploymentStatus.NeedsApproval)]
    [InlineData(DeploymentStatus.Removing)]
    [InlineData(DeploymentStatus.Unknown)]
    public void An_unsettled_status_is_reported_once_and_the_watch_goes_on(DeploymentStatus status)
    {
        var reader = Start(status);

        AdvanceUntil(() => reader.Reads >= 4);

        var changed = Assert.Single(Changes);
        Assert.Equal(status, changed.Current);
        Assert.False(Stopped);
    }

    [Fact]
    public void Each_status_has_its_own_poll_cadence()
    {
        var reader = Start(DeploymentStatus.Building);
        AwaitCondition(() => Changes.Count == 1);
        Settle(_monitor!); // the next poll's timer is set by the message that reported the change

        // Building polls every 30 s (configured), not at the 5 s default. After each second the monitor has handled
        // whatever the clock delivered to it (a due poll reads at once), so a poll before 30 s would show as a read.
        for (var second = 1; second < 30; second++)
        {
            Scheduler.Advance(TimeSpan.FromSeconds(1));
            Settle(_monitor!);
            Assert.Equal(1, reader.Reads);
        }

        Scheduler.Advance(TimeSpan.FromSeconds(1));
        AwaitCondition(() => reader.Reads == 2);
    }

    [Fact]
    public void A_deployment_walking_to_success_is_reported_step_by_step_and_released_once_stable()
    {
        var reader = Start(DeploymentStatus.Queued);
        AwaitCondition(() => Changes.Count == 1);

        var walk = new[] { DeploymentStatus.Initializing, DeploymentStatus.Deploying, DeploymentStatus.Success };
        foreach (var next in walk)
        {
            var seen = Changes.Count;
            reader.Status = next;
            AdvanceUntil(() => Changes.Count > seen);
        }

        AdvanceUntil(() => Stopped);
        Assert.Equal([DeploymentStatus.Queued, .. walk], Changes.Select(c => c.Current));
        Assert.Equal([null, DeploymentStatus.Queued, DeploymentStatus.Initializing, DeploymentStatus.Deploying], Changes.Select(c => c.Previous));
        // Released only after the SUCCESS held for the stable-after period.
        Assert.True(Clock.GetUtcNow() - Changes[^1].At >= MonitorSettings.StableAfter);
    }

    [Fact]
    public void A_crash_soon_after_success_is_still_reported()
    {
        var reader = Start(DeploymentStatus.Success);
        AwaitCondition(() => Changes.Count == 1);

        reader.Status = DeploymentStatus.Crashed;
        AdvanceUntil(() => Stopped);
        AwaitCondition(() => Changes.Count == 2);

        Assert.Equal([DeploymentStatus.Success, DeploymentStatus.Crashed], Changes.Select(c => c.Current));
    }

    [Fact]
    public void A_deployment_that_never_settles_is_reported_as_hung()
    {
        Start(DeploymentStatus.Deploying, HangSettings);

        AdvanceUntil(() => Stopped);
        AwaitCondition(() => _reports.OfType<DeploymentHung>().Any());

        var hung = Assert.Single(_reports.OfType<DeploymentHung>());
        Assert.Equal(DeploymentStatus.Deploying, hung.Status);
        Assert.Equal(DeploymentId, hung.DeploymentId);
        Assert.True(hung.WatchedFor >= HangSettings.StabilisationTimeout);
        Assert.Single(Changes);
    }

    [Fact]
    public void A_failing_read_is_retried_at_the_next_poll_without_a_report()
    {
        var reader = Start(DeploymentStatus.Building);
        AwaitCondition(() => Changes.Count == 1);
        reader.FailReads(new HttpRequestException("connection reset"));

        AdvanceUntil(() => reader.Reads >= 3);
        Assert.Single(Changes);

        reader.FailReads(null);
        reader.Status = DeploymentStatus.Failed;
        AdvanceUntil(() => Stopped);
        AwaitCondition(() => Changes.Count == 2);
        Assert.Equal([DeploymentStatus.Building, DeploymentStatus.Failed], Changes.Select(c => c.Current));
    }

    [Fact]
    public void A_rewatch_starts_a_fresh_watch_with_the_new_purpose()
    {
        var reader = Start(DeploymentStatus.Deploying);
        AwaitCondition(() => Changes.Count == 1);

        _monitor!.Tell(new DeploymentMonitor.Rewatch("restart"));
        AwaitCondition(() => reader.Reads == 2);
        reader.Status = DeploymentStatus.Success;
        AdvanceUntil(() => Changes.Count == 2);

        Assert.Equal("restart", Changes[1].Purpose);
    }

    private ScriptedDeploymentReader Start(DeploymentStatus status, RailwaySettings? settings = null)
    {
        var reader = new ScriptedDeploymentReader(DeploymentId, status);
        var owner = ActorOf(RecordingActor.Props(_reports));
        var monitor = ActorOf(DeploymentMonitor.Props(reader, settings ?? MonitorSettings, owner, "api", DeploymentId, "deploy"), DeploymentMonitor.NameFor(DeploymentId));
        ActorOf(DeathRecorder.Props(monitor, _reports));
        _monitor = monitor;
        return reader;
    }

    /// <summary>Moves virtual time a second at a time, giving the monitor real time to react, until the condition holds.</summary>
    private void AdvanceUntil(Func<bool> condition) =>
        AdvanceUntil(condition, TimeSpan.FromSeconds(1), "the condition within 2000 virtual seconds", maxSteps: 2000);
}
