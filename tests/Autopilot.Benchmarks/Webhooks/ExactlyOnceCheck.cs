using Autopilot.Agents.Orchestrator;
using Autopilot.Agents.Protocol;
using Autopilot.Benchmarks.Stacks;
using Autopilot.Daemon.Audit;
using Autopilot.Daemon.Intake;

namespace Autopilot.Benchmarks.Webhooks;

/// <summary>
/// What the journal holds after the load, compared with what the daemon answered. Two promises are checked: every
/// delivery answered 202 is stored exactly once, with the body it was sent with, in the intake's stream
/// (<see cref="DeliveryStored"/> in <c>webhook-intake</c>); and the orchestrator recorded it exactly once
/// (<see cref="ExternalEventReceived"/> in <c>orchestrator</c>) after the hand-over brought it from that stream.
/// A redelivery (answered "duplicate") must not be stored or recorded again.
/// </summary>
/// <param name="Accepted">Deliveries the daemon answered 202 Accepted.</param>
/// <param name="Stored">Distinct benchmark deliveries found in the intake stream.</param>
/// <param name="StoredMissing">Accepted deliveries absent from the intake stream: an acknowledged write was lost.</param>
/// <param name="StoredTwice">Deliveries stored more than once.</param>
/// <param name="PayloadWrong">Stored deliveries whose payload differs from the body sent.</param>
/// <param name="StoredNotAccepted">Stored deliveries never answered 202 (possible only after a failed answer).</param>
/// <param name="Recorded">Distinct benchmark deliveries the orchestrator recorded.</param>
/// <param name="RecordedMissing">Accepted deliveries the orchestrator never recorded.</param>
/// <param name="RecordedTwice">Deliveries the orchestrator recorded more than once.</param>
/// <param name="Redelivered">Accepted deliveries sent a second time, same id and body.</param>
/// <param name="AnsweredDuplicate">Redeliveries the daemon answered 200 "duplicate".</param>
internal sealed record ExactlyOnceReport(
    int Accepted, int Stored, int StoredMissing, int StoredTwice, int PayloadWrong, int StoredNotAccepted,
    int Recorded, int RecordedMissing, int RecordedTwice, int Redelivered, int AnsweredDuplicate)
{
    /// <summary>
    /// Whether both promises hold. <see cref="StoredNotAccepted"/> does not break them: a delivery whose answer was lost
    /// is redelivered by the platform and then answered "duplicate".
    /// </summary>
    public bool Holds => StoredMissing == 0 && StoredTwice == 0 && PayloadWrong == 0 && RecordedMissing == 0 && RecordedTwice == 0
                         && AnsweredDuplicate == Redelivered;

    /// <summary>One line for the console.</summary>
    public override string ToString() =>
        $"{(Holds ? "exactly once: OK" : "exactly once: VIOLATED")} — {Accepted:N0} accepted; intake stream: {Stored:N0} stored, "
        + $"{StoredMissing} missing, {StoredTwice} twice, {PayloadWrong} wrong payload, {StoredNotAccepted} stored but not accepted; "
        + $"orchestrator: {Recorded:N0} recorded, {RecordedMissing} missing, {RecordedTwice} twice; "
        + $"{AnsweredDuplicate:N0}/{Redelivered:N0} redeliveries answered duplicate";
}

/// <summary>
/// Reads both streams back after the daemon has stopped, through Akka.Persistence.Query's SQL read journal
/// (<c>CurrentEventsByPersistenceId</c>) in an actor system built with the daemon's own persistence configuration and
/// serializer (<see cref="AkkaStack.Daemon"/>), so events are read exactly as the daemon would replay them.
/// </summary>
internal static class ExactlyOnceCheck
{
    /// <param name="plugin">sqlite or postgresql.</param>
    /// <param name="connectionString">The journal the daemon wrote.</param>
    /// <param name="prefix">Delivery-id prefix of the benchmark's deliveries; other deliveries in the streams are not its own.</param>
    /// <param name="accepted">Id and body of each delivery answered 202.</param>
    /// <param name="redelivered">How many accepted deliveries were sent again.</param>
    /// <param name="answeredDuplicate">How many of those the daemon answered "duplicate".</param>
    public static async Task<ExactlyOnceReport> RunAsync(
        string plugin, string connectionString, string prefix, IReadOnlyDictionary<string, string> accepted, int redelivered, int answeredDuplicate)
    {
        await using var running = await AkkaStack.Daemon(plugin, connectionString)();
        var queries = new AuditQueries(running.System, running.Database!);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));

        var stored = new Dictionary<string, int>(StringComparer.Ordinal);
        var payloadWrong = 0;
        await foreach (var envelope in queries.CurrentEventsByPersistenceId(WebhookIntake.StreamId, 1, timeout.Token))
        {
            if (envelope.Event is DeliveryStored { Source: ExternalEventSources.GitHub } delivery && delivery.DeliveryId.StartsWith(prefix, StringComparison.Ordinal))
            {
                stored[delivery.DeliveryId] = stored.GetValueOrDefault(delivery.DeliveryId) + 1;
                if (accepted.TryGetValue(delivery.DeliveryId, out var body) && !string.Equals(body, delivery.Payload, StringComparison.Ordinal))
                {
                    payloadWrong++;
                }
            }
        }

        var recorded = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var envelope in queries.CurrentEventsByPersistenceId(Orchestrator.DefaultPersistenceId, 1, timeout.Token))
        {
            if (envelope.Event is ExternalEventReceived { Source: ExternalEventSources.GitHub } received && received.DeliveryId.StartsWith(prefix, StringComparison.Ordinal))
            {
                recorded[received.DeliveryId] = recorded.GetValueOrDefault(received.DeliveryId) + 1;
            }
        }

        return new ExactlyOnceReport(
            accepted.Count,
            stored.Count,
            accepted.Keys.Count(id => !stored.ContainsKey(id)),
            stored.Count(s => s.Value > 1),
            payloadWrong,
            stored.Keys.Count(id => !accepted.ContainsKey(id)),
            recorded.Count,
            accepted.Keys.Count(id => !recorded.ContainsKey(id)),
            recorded.Count(r => r.Value > 1),
            redelivered,
            answeredDuplicate);
    }
}
