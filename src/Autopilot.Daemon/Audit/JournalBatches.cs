using Akka;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Autopilot.Daemon.Audit;

/// <summary>
/// Hands what a journal query reads to an actor a batch at a time, back-pressured: the envelopes read while the actor
/// works on one batch go together into the next (up to a maximum), and the next is sent only once the actor acknowledged
/// the last. Used by the readers that follow a tag through a whole journal (the hand-over, the dashboard's view).
/// </summary>
internal static class JournalBatches
{
    /// <summary>
    /// Runs <paramref name="source"/> into <paramref name="actor"/>: it gets <paramref name="init"/> first, then each
    /// batch as <paramref name="toMessage"/> makes it, and answers each with <paramref name="ack"/>; then
    /// <paramref name="completed"/>, or what <paramref name="failed"/> makes of the stream's failure.
    /// </summary>
    /// <returns>The switch that stops the reading.</returns>
    public static UniqueKillSwitch RunInBatches(this Source<EventEnvelope, NotUsed> source, int maxBatch, Func<List<EventEnvelope>, object> toMessage,
        IActorRef actor, object init, object ack, object completed, Func<Exception, object> failed, IMaterializer materializer) =>
        source
            .ViaMaterialized(KillSwitches.Single<EventEnvelope>(), Keep.Right)
            .Batch(maxBatch, first => new List<EventEnvelope> { first }, (batch, next) =>
            {
                batch.Add(next);
                return batch;
            })
            .Select(toMessage)
            // A buffer of one: with the sink's default (16) it pulls single-envelope batches ahead of the actor, and the
            // envelopes never gather.
            .ToMaterialized(Sink.ActorRefWithAck<object>(actor, init, ack, completed, failed).WithAttributes(Attributes.CreateInputBuffer(1, 1)), Keep.Left)
            .Run(materializer);
}
