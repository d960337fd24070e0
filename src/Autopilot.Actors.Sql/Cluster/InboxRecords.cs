using System.Text.Json;

namespace Autopilot.Actors.Sql.Cluster;

/// <summary>Something received from outside (e.g. a verified webhook) to be handled by the singleton.</summary>
/// <param name="Source">Who sent it, e.g. <c>github</c>, <c>railway</c>, <c>n8n</c>.</param>
/// <param name="Kind">What it is, e.g. the webhook's event type.</param>
/// <param name="DedupeKey">The sender's delivery id (e.g. <c>X-GitHub-Delivery</c>): a redelivery with the same key from the same source is stored once.</param>
/// <param name="PayloadJson">The body, as JSON text.</param>
public sealed record InboxMessage(string Source, string Kind, string DedupeKey, string PayloadJson);

/// <summary>The answer to an enqueue: the entry's id, and whether the message was already there.</summary>
/// <param name="EntryId">Id (and position in handling order) of the stored entry.</param>
/// <param name="Duplicate">True if an entry with the same source and dedupe key existed; nothing new was stored.</param>
public sealed record InboxEnqueueResult(long EntryId, bool Duplicate);

/// <summary>An entry claimed for handling by the current lease holder.</summary>
/// <param name="Id">Entry id, increasing in enqueue order.</param>
/// <param name="Source">Who sent it.</param>
/// <param name="Kind">What it is.</param>
/// <param name="DedupeKey">The sender's delivery id.</param>
/// <param name="Payload">The body.</param>
/// <param name="ReceivedAt">When it was stored (database clock).</param>
/// <param name="Attempts">How many leaderships claimed it so far, this one included (above 1 after a fail-over).</param>
public sealed record InboxEntry(long Id, string Source, string Kind, string DedupeKey, JsonElement Payload, DateTimeOffset ReceivedAt, int Attempts);

/// <summary>Where an entry stands, for whoever waits for its handling (e.g. the node that took an operator's command).</summary>
/// <param name="Id">Entry id.</param>
/// <param name="Done">Whether the lease holder completed it.</param>
/// <param name="Outcome">What handling recorded on completion (null until done, or when the handler recorded nothing).</param>
/// <param name="Attempts">How many leaderships claimed it so far (0 while nobody has).</param>
public sealed record InboxEntryState(long Id, bool Done, string? Outcome, int Attempts);
