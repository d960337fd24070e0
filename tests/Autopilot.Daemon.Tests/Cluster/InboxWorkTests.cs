using System.Text.Json;
using Autopilot.Actors.Sql.Cluster;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Cluster;
using Autopilot.Daemon.Intake;

namespace Autopilot.Daemon.Tests.Cluster;

/// <summary>What the leader reads out of an inbox entry is what the node that took the work put in.</summary>
public sealed class InboxWorkTests
{
    public static TheoryData<object> Commands() =>
    [
        new PauseAutopilot("ops"), new ResumeAutopilot("ops"), new SetDryRun(true), new RunDrill("deployment-failed"),
        new AcknowledgeIncident("inc-7", "ops"), new RequestRollback("demo-api", "admin"),
    ];

    [Theory]
    [MemberData(nameof(Commands))]
    public void Every_operator_command_travels_through_the_inbox_unchanged(object command)
    {
        var message = InboxWork.Command(command);

        Assert.Equal(InboxWork.CommandSource, message.Source);
        Assert.Equal(command, InboxWork.Decode(Entry(message)));
        Assert.NotEqual(message.DedupeKey, InboxWork.Command(command).DedupeKey);
    }

    [Fact]
    public void A_delivery_keeps_its_source_event_type_delivery_id_and_payload_and_a_security_event_its_fields()
    {
        using var payload = JsonDocument.Parse("""{"after":"abc123"}""");
        var delivery = new ReceiveDelivery("github", "push", "delivery-1", payload.RootElement.Clone());
        var securityEvent = new SecurityEventRecorded("webhook-signature-invalid", "webhooks/github", "bad signature (from 10.0.0.1)", DateTimeOffset.UnixEpoch);

        var deliveryMessage = InboxWork.Delivery(delivery);
        var decoded = Assert.IsType<ReceiveDelivery>(InboxWork.Decode(Entry(deliveryMessage)));
        var securityMessage = InboxWork.SecurityEvent(securityEvent);

        Assert.Equal(("github", "push", "delivery-1"), (deliveryMessage.Source, deliveryMessage.Kind, deliveryMessage.DedupeKey));
        Assert.Equal(("github", "push", "delivery-1", "abc123"), (decoded.Source, decoded.EventType, decoded.DeliveryId, decoded.Payload.GetProperty("after").GetString()));
        Assert.Equal((InboxWork.SecuritySource, "webhook-signature-invalid"), (securityMessage.Source, securityMessage.Kind));
        Assert.Equal(securityEvent, InboxWork.Decode(Entry(securityMessage)));
    }

    [Fact]
    public void An_entry_that_cannot_be_understood_is_a_typed_error_naming_it_and_a_command_outcome_reads_back()
    {
        var unknown = Assert.Throws<InboxEntryException>(() => InboxWork.Decode(Entry(new InboxMessage(InboxWork.CommandSource, "reboot", "k", "{}"))));
        var malformed = Assert.Throws<InboxEntryException>(() => InboxWork.Decode(Entry(new InboxMessage(InboxWork.CommandSource, "dry-run", "k", """{"enabled":"sometimes"}"""))));

        Assert.Contains("unknown command kind 'reboot'", unknown.Message);
        Assert.Contains("malformed payload", malformed.Message);
        Assert.Throws<ArgumentException>(() => InboxWork.Command(new GetOrchestratorStatus()));
        var outcome = new CommandOutcome(false, "unknown service x");
        Assert.Equal(outcome, InboxWork.ReadCommandOutcome(1, InboxWork.Outcome(outcome)));
        Assert.Throws<InboxEntryException>(() => InboxWork.ReadCommandOutcome(1, "accepted"));
        Assert.Throws<InboxEntryException>(() => InboxWork.ReadCommandOutcome(1, null));
    }

    private static InboxEntry Entry(InboxMessage message)
    {
        using var payload = JsonDocument.Parse(message.PayloadJson);
        return new InboxEntry(42, message.Source, message.Kind, message.DedupeKey, payload.RootElement.Clone(), DateTimeOffset.UnixEpoch, 1);
    }
}
