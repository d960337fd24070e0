using Akka.Actor;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Orchestrator;

/// <summary>
/// The intake hands a redelivered webhook over again (its own record and the orchestrator's are two writes); the
/// orchestrator acts on each delivery once, remembering what it journaled across restarts.
/// </summary>
public sealed class DeliveryDedupeTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    [Fact]
    public async Task A_delivery_handed_over_twice_is_recorded_once_also_after_a_restart()
    {
        var first = StartOrchestrator();
        var accepted = await first.Ask<ControlAck>(GitHubPing("delivery-7"), TimeSpan.FromSeconds(10));
        var again = await first.Ask<ControlAck>(GitHubPing("delivery-7"), TimeSpan.FromSeconds(10));
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);
        var second = StartOrchestrator();
        var afterRestart = await second.Ask<ControlAck>(GitHubPing("delivery-7"), TimeSpan.FromSeconds(10));

        Assert.Contains("accepted", accepted.Message);
        Assert.Contains("already handled", again.Message);
        Assert.Contains("already handled", afterRestart.Message);
        Assert.Single(AuditTrail().OfType<ExternalEventReceived>(), e => e.DeliveryId == "delivery-7");
    }

    [Fact]
    public async Task Deliveries_handed_over_together_are_recorded_once_each_in_order_and_confirmed_with_one_answer()
    {
        var orchestrator = StartOrchestrator();
        await orchestrator.Ask<ControlAck>(GitHubPing("delivery-1"), TimeSpan.FromSeconds(10));

        var ack = await orchestrator.Ask<ControlAck>(
            new ExternalEvents([GitHubPing("delivery-1"), GitHubPing("delivery-2"), GitHubPing("delivery-3"), GitHubPing("delivery-2")]), TimeSpan.FromSeconds(10));

        Assert.True(ack.Accepted);
        Assert.Equal("2 of 4 deliveries accepted, the others already handled", ack.Message);
        Assert.Equal(["delivery-1", "delivery-2", "delivery-3"], AuditTrail().OfType<ExternalEventReceived>().Select(e => e.DeliveryId));
    }
}
