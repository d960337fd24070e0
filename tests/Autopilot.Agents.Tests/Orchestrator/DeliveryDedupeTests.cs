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
}
