using Autopilot.Actors;
using Autopilot.Actors.Configuration;
using Autopilot.Actors.Tests.Support;
using Xunit;

namespace Autopilot.Actors.Tests.Shutdown;

public sealed class CoordinatedShutdownSpec : TestKit.TestKit
{
    [Fact]
    public async Task Phases_run_in_dependency_order_and_the_system_terminates()
    {
        var shutdown = CoordinatedShutdown.Get(Sys);
        Assert.Equal(CoordinatedShutdown.PhaseBeforeServiceUnbind, shutdown.PhaseOrder[0]);
        Assert.Equal(CoordinatedShutdown.PhaseActorSystemTerminate, shutdown.PhaseOrder[^1]);

        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "flush", () => { order.Enqueue("flush"); return Task.CompletedTask; });
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "stop-http", () => { order.Enqueue("unbind"); return Task.CompletedTask; });
        shutdown.AddTask(CoordinatedShutdown.PhaseClusterLeave, "leave", () => { order.Enqueue("leave"); return Task.CompletedTask; });

        var first = shutdown.Run(CoordinatedShutdown.HostStoppingReason.Instance);
        var second = shutdown.Run(CoordinatedShutdown.ActorSystemTerminateReason.Instance);
        Assert.Same(first, second);
        await first.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["unbind", "leave", "flush"], order);
        Assert.True(Sys.WhenTerminated.IsCompleted);
        Assert.IsType<CoordinatedShutdown.HostStoppingReason>(shutdown.ShutdownReason);
    }

    [Fact]
    public async Task A_stuck_task_is_cut_off_by_its_phase_timeout_logged_and_shutdown_goes_on()
    {
        var logs = new CapturingLoggerFactory();
        var config = ConfigurationFactory.ParseString("autopilot.coordinated-shutdown.phases.service-stop.timeout = 200ms");
        var system = ActorSystem.Create("stuck", config, new ActorSystemSetup(LoggerFactory: logs));
        var shutdown = CoordinatedShutdown.Get(system);
        var never = new TaskCompletionSource();
        var ranLater = false;
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceStop, "stuck", () => never.Task);
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "later", () => { ranLater = true; return Task.CompletedTask; });

        await shutdown.Run(CoordinatedShutdown.ActorSystemTerminateReason.Instance).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(ranLater);
        Assert.Contains(logs.Lines, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Warning && l.Text.Contains("[service-stop] timed out"));
    }

    [Fact]
    public void Unknown_phases_are_refused_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() => CoordinatedShutdown.Get(Sys).AddTask("no-such-phase", "x", () => Task.CompletedTask));
        Assert.Contains("no-such-phase", error.Message);
    }
}
