using Autopilot.Actors;
using Autopilot.Actors.Tests.Actor;
using Xunit;

namespace Autopilot.Actors.Tests.Supervision;

public sealed class BackoffSupervisorSpec() : TestKit.TestKit(virtualTime: true)
{
    private static BackoffOptions Options(BackoffMode mode, IActorRef reporter) => new(
        Props.Create(() => new CountingActor(reporter)),
        "worker",
        MinBackoff: TimeSpan.FromSeconds(1),
        MaxBackoff: TimeSpan.FromMinutes(5),
        RandomFactor: 0,
        Mode: mode,
        ResetBackoffAfter: TimeSpan.FromMinutes(10));

    private IActorRef CurrentChild(IActorRef supervisor)
    {
        supervisor.Tell(BackoffSupervisor.GetCurrentChild.Instance, TestActor);
        return ExpectMsg<BackoffSupervisor.CurrentChild>().Ref ?? throw new InvalidOperationException("no child");
    }

    /// <summary>The supervisor counts a restart when it schedules it: only then may the test move the clock.</summary>
    private void WaitUntilRestartScheduled(IActorRef supervisor, int expected) => AwaitAssert(() =>
    {
        supervisor.Tell(BackoffSupervisor.GetRestartCount.Instance, TestActor);
        Assert.Equal(expected, ExpectMsg<BackoffSupervisor.RestartCount>().Count);
    });

    [Fact]
    public void A_failing_child_is_restarted_after_growing_delays()
    {
        var reporter = CreateTestProbe();
        var supervisor = ActorOf(BackoffSupervisor.Props(Options(BackoffMode.OnFailure, reporter.Ref)), "backoff");
        reporter.ExpectMsg("constructed");
        reporter.ExpectMsg("pre-start");

        var restarts = 0;
        foreach (var delay in new[] { 1, 2, 4, 8 })
        {
            supervisor.Tell(new Boom("platform down")); // forwarded to the child
            reporter.ExpectMsg("post-stop");
            WaitUntilRestartScheduled(supervisor, ++restarts);
            Time.Advance(TimeSpan.FromSeconds(delay) - TimeSpan.FromMilliseconds(1));
            reporter.ExpectNoMsg();
            Time.Advance(TimeSpan.FromMilliseconds(1));
            reporter.ExpectMsg("constructed");
            reporter.ExpectMsg("pre-start");
        }

        supervisor.Tell(BackoffSupervisor.GetRestartCount.Instance, TestActor);
        Assert.Equal(4, ExpectMsg<BackoffSupervisor.RestartCount>().Count);
    }

    [Fact]
    public void The_backoff_resets_after_the_child_stays_up()
    {
        var reporter = CreateTestProbe();
        var supervisor = ActorOf(BackoffSupervisor.Props(Options(BackoffMode.OnFailure, reporter.Ref)));
        reporter.ExpectMsg("constructed");
        reporter.ExpectMsg("pre-start");
        supervisor.Tell(new Boom("once"));
        reporter.ExpectMsg("post-stop");
        WaitUntilRestartScheduled(supervisor, 1);
        Time.Advance(TimeSpan.FromSeconds(1));
        reporter.ExpectMsg("constructed");
        reporter.ExpectMsg("pre-start");

        Time.Advance(TimeSpan.FromMinutes(10)); // stable long enough
        supervisor.Tell(BackoffSupervisor.GetRestartCount.Instance, TestActor);
        Assert.Equal(0, ExpectMsg<BackoffSupervisor.RestartCount>().Count);
    }

    [Fact]
    public void OnStop_mode_restarts_a_child_that_stopped_itself_and_messages_reach_the_new_child()
    {
        var reporter = CreateTestProbe();
        var supervisor = ActorOf(BackoffSupervisor.Props(Options(BackoffMode.OnStop, reporter.Ref)));
        reporter.ExpectMsg("constructed");
        reporter.ExpectMsg("pre-start");
        var first = CurrentChild(supervisor);
        first.Tell(PoisonPill.Instance);
        reporter.ExpectMsg("post-stop");
        WaitUntilRestartScheduled(supervisor, 1);
        Time.Advance(TimeSpan.FromSeconds(1));
        reporter.ExpectMsg("constructed");
        reporter.ExpectMsg("pre-start");
        AwaitAssert(() => Assert.NotEqual(first, CurrentChild(supervisor)));
        supervisor.Tell(1);
        supervisor.Tell("count", TestActor);
        ExpectMsg(1);
    }

    [Fact]
    public void Stop_decisions_end_the_supervisor_too()
    {
        var reporter = CreateTestProbe();
        var options = Options(BackoffMode.OnFailure, reporter.Ref) with { Decider = _ => Directive.Stop };
        var supervisor = ActorOf(BackoffSupervisor.Props(options));
        Watch(supervisor);
        supervisor.Tell(new Boom("fatal"));
        ExpectTerminated(supervisor);
    }
}
