using Akka.Persistence.Journal;

namespace Autopilot.Daemon.Intake;

/// <summary>
/// Tags every <see cref="DeliveryStored"/> with <see cref="WebhookIntake.DeliveryTag"/> on its way into the journal,
/// so the hand-over finds the deliveries of every node's intake with one <c>EventsByTag</c> query. Bound on the journal
/// by <see cref="Hocon"/>; the intake itself persists the plain event.
/// </summary>
public sealed class DeliveryTagger : IWriteEventAdapter
{
    private const string Name = "autopilot-delivery-tagger";

    /// <inheritdoc />
    public string Manifest(object evt) => string.Empty;

    /// <inheritdoc />
    public object ToJournal(object evt) => evt is DeliveryStored ? new Tagged(evt, [WebhookIntake.DeliveryTag]) : evt;

    /// <summary>The binding of this adapter to <see cref="DeliveryStored"/> on the journal plugin at <paramref name="journalPluginPath"/>.</summary>
    public static string Hocon(string journalPluginPath) => $$"""
        {{journalPluginPath}} {
          event-adapters { {{Name}} = "{{typeof(DeliveryTagger).FullName}}, {{typeof(DeliveryTagger).Assembly.GetName().Name}}" }
          event-adapter-bindings { "{{typeof(DeliveryStored).FullName}}, {{typeof(DeliveryStored).Assembly.GetName().Name}}" = {{Name}} }
        }
        """;
}
