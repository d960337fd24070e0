using System.Text.Json;
using Akka.Actor;
using Akka.Event;
using Autopilot.Agents.Protocol;
using Autopilot.Agents.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Autopilot.Agents.Tests.Orchestrator;

/// <summary>
/// A delivery that passed the signature check can still have any JSON shape. Each one is recorded and handed on, and
/// nothing throws on it: an orchestrator or worker that threw would restart and lose what it was doing.
/// </summary>
public sealed class OddPayloadTests(ITestOutputHelper output) : ScenarioTestKit(output)
{
    /// <summary>JSON of every kind where the readers expect objects, strings where they expect objects, and the reverse.</summary>
    public static readonly string[] Shapes =
    [
        "null", "42", "\"s\"", "true", "[]", """[1,{"a":2}]""", "{}",
        """{"type":"x","deployment":"s"}""",
        """{"deployment":{"id":{"x":1}},"service":{"id":[]}}""",
        """{"deployment":{"id":7},"service":{"id":7}}""",
        """{"deployment":[],"service":"svc"}""",
        """{"repository":"x","ref":5,"after":{},"workflow_run":[],"check_suite":"y"}""",
        """{"repository":{"full_name":3},"workflow_run":{"head_branch":{},"head_sha":[]}}""",
    ];

    [Fact]
    public async Task Signed_webhooks_of_any_shape_are_recorded_once_and_stop_no_actor()
    {
        var errors = CreateTestProbe();
        Sys.EventStream.Subscribe(errors.Ref, typeof(Error));
        var orchestrator = StartOrchestrator();
        var sent = new List<string>();

        foreach (var (source, eventType) in new[] { ("github", "push"), ("github", "workflow_run"), ("github", "check_suite"), ("railway", "DEPLOY") })
        {
            foreach (var shape in Shapes)
            {
                var id = $"odd-{sent.Count}";
                var ack = await orchestrator.Ask<ControlAck>(new ExternalEvent(source, eventType, id, JsonDocument.Parse(shape).RootElement), TimeSpan.FromSeconds(10));
                Assert.True(ack.Accepted, $"{source} {eventType} {shape}: {ack.Message}");
                sent.Add(id);
            }
        }

        // Everything told to the workers is handled before they answer an Identify sent after it.
        foreach (var worker in new[] { WorkerNames.GitHub, WorkerNames.Railway })
        {
            var identity = await Sys.ActorSelection(orchestrator.Path / worker).Ask<ActorIdentity>(new Identify(worker), TimeSpan.FromSeconds(10));
            Assert.NotNull(identity.Subject);
        }

        errors.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        var recorded = AuditTrail().OfType<ExternalEventReceived>().Where(e => e.DeliveryId.StartsWith("odd-", StringComparison.Ordinal)).Select(e => e.DeliveryId);
        Assert.Equal(sent, recorded);
    }
}
