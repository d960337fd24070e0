using Autopilot.Actors.Persistence.Serialization;
using Autopilot.Actors.Sql;
using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.Benchmarks.Webhooks;

/// <summary>
/// What the intake stream holds after the load, compared with what the daemon answered: every delivery answered 202
/// must be journaled exactly once, and a redelivery (answered "duplicate") must not be journaled again.
/// </summary>
/// <param name="Accepted">Deliveries the daemon answered 202 Accepted.</param>
/// <param name="Journaled">Deliveries of the benchmark found in the intake stream (distinct ids).</param>
/// <param name="Missing">Accepted deliveries absent from the stream: an acknowledged write was lost.</param>
/// <param name="JournaledTwice">Deliveries present more than once: a redelivery or a retry was processed again.</param>
/// <param name="NeverAccepted">Deliveries in the stream the daemon never answered 202 (possible only after a failed answer).</param>
/// <param name="Redelivered">Accepted deliveries sent a second time, same id and body.</param>
/// <param name="AnsweredDuplicate">Redeliveries the daemon answered 200 "duplicate".</param>
internal sealed record ExactlyOnceReport(int Accepted, int Journaled, int Missing, int JournaledTwice, int NeverAccepted, int Redelivered, int AnsweredDuplicate)
{
    /// <summary>
    /// Whether the property holds. <see cref="NeverAccepted"/> does not break it: a delivery whose answer was lost is
    /// redelivered by the platform and then answered "duplicate".
    /// </summary>
    public bool Holds => Missing == 0 && JournaledTwice == 0 && AnsweredDuplicate == Redelivered;

    /// <summary>One line for the console.</summary>
    public override string ToString() =>
        $"{(Holds ? "exactly once: OK" : "exactly once: VIOLATED")} — {Accepted:N0} accepted, {Journaled:N0} journaled, {Missing} missing, " +
        $"{JournaledTwice} journaled twice, {NeverAccepted} journaled but not accepted; {AnsweredDuplicate:N0}/{Redelivered:N0} redeliveries answered duplicate";
}

/// <summary>Reads the intake stream back through the journal API, after the daemon has stopped and flushed it.</summary>
internal static class ExactlyOnceCheck
{
    /// <summary>Persistence id of the daemon's webhook intake (<c>WebhookIntake.StreamId</c>).</summary>
    private const string IntakeStream = "webhook-intake";

    /// <param name="plugin">sqlite or postgresql.</param>
    /// <param name="connectionString">The journal the daemon wrote.</param>
    /// <param name="runPrefixes">Delivery-id prefixes the benchmark used; other deliveries in the stream are not its own.</param>
    /// <param name="accepted">Ids answered 202.</param>
    /// <param name="redelivered">How many accepted deliveries were sent again.</param>
    /// <param name="answeredDuplicate">How many of those the daemon answered "duplicate".</param>
    public static async Task<ExactlyOnceReport> RunAsync(
        string plugin, string connectionString, IReadOnlyCollection<string> runPrefixes, IReadOnlyCollection<string> accepted, int redelivered, int answeredDuplicate)
    {
        var serializer = AutopilotTree.RegisterEvents(new EventSerializer());
        await using var store = PersistencePlugins.Create(plugin, connectionString, serializer, NullLogger.Instance, TimeProvider.System);
        await store.StartAsync(CancellationToken.None);
        var journaled = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var envelope in store.Journal.ReplayAsync(IntakeStream, 1, long.MaxValue))
        {
            if (envelope.Event is ExternalEventReceived { Source: ExternalEventSources.GitHub } received
                && runPrefixes.Any(p => received.DeliveryId.StartsWith(p, StringComparison.Ordinal)))
            {
                journaled[received.DeliveryId] = journaled.GetValueOrDefault(received.DeliveryId) + 1;
            }
        }

        var acceptedSet = accepted.ToHashSet(StringComparer.Ordinal);
        return new ExactlyOnceReport(
            acceptedSet.Count,
            journaled.Count,
            acceptedSet.Count(id => !journaled.ContainsKey(id)),
            journaled.Count(j => j.Value > 1),
            journaled.Keys.Count(id => !acceptedSet.Contains(id)),
            redelivered,
            answeredDuplicate);
    }
}
