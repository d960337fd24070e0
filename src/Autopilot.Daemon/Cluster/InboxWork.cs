using System.Text.Json;
using Autopilot.Actors.Sql.Cluster;
using Autopilot.Agents.Protocol;
using Autopilot.Daemon.Intake;

namespace Autopilot.Daemon.Cluster;

/// <summary>
/// How work travels through the durable inbox from the node that took it to the leader that does it: verified
/// webhooks keep their platform as source, their event type as kind and their delivery id as dedupe key; security
/// events and operator commands get sources of their own and a fresh dedupe key (each is a new fact).
/// </summary>
public static class InboxWork
{
    /// <summary>Source of operator commands.</summary>
    public const string CommandSource = "command";

    /// <summary>Source of the edge's security events.</summary>
    public const string SecuritySource = "security";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly IReadOnlyDictionary<string, Type> CommandKinds = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        ["pause"] = typeof(PauseAutopilot),
        ["resume"] = typeof(ResumeAutopilot),
        ["dry-run"] = typeof(SetDryRun),
        ["drill"] = typeof(RunDrill),
        ["ack"] = typeof(AcknowledgeIncident),
        ["rollback"] = typeof(RequestRollback),
    };

    /// <summary>The inbox message of a verified delivery.</summary>
    public static InboxMessage Delivery(ReceiveDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return new InboxMessage(delivery.Source, delivery.EventType, delivery.DeliveryId, delivery.Payload.GetRawText());
    }

    /// <summary>The inbox message of a security event.</summary>
    public static InboxMessage SecurityEvent(SecurityEventRecorded securityEvent)
    {
        ArgumentNullException.ThrowIfNull(securityEvent);
        return new InboxMessage(SecuritySource, securityEvent.Kind, Guid.NewGuid().ToString("N"), JsonSerializer.Serialize(securityEvent, Json));
    }

    /// <summary>The inbox message of an operator command (one of the orchestrator's control messages).</summary>
    /// <exception cref="ArgumentException"><paramref name="command"/> is not a control message the inbox carries.</exception>
    public static InboxMessage Command(object command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var kind = CommandKinds.FirstOrDefault(k => k.Value == command.GetType()).Key
            ?? throw new ArgumentException($"{command.GetType().Name} is not an operator command.", nameof(command));
        return new InboxMessage(CommandSource, kind, Guid.NewGuid().ToString("N"), JsonSerializer.Serialize(command, command.GetType(), Json));
    }

    /// <summary>
    /// What an entry asks for: a <see cref="ReceiveDelivery"/>, a <see cref="SecurityEventRecorded"/> or a control message.
    /// </summary>
    /// <exception cref="InboxEntryException">The entry cannot be understood (unknown command kind, malformed payload).</exception>
    public static object Decode(InboxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        try
        {
            return entry.Source switch
            {
                CommandSource => CommandKinds.TryGetValue(entry.Kind, out var type)
                    ? entry.Payload.Deserialize(type, Json) ?? throw new InboxEntryException($"Inbox entry {entry.Id} holds an empty {entry.Kind} command.")
                    : throw new InboxEntryException($"Inbox entry {entry.Id} holds an unknown command kind '{entry.Kind}'."),
                SecuritySource => entry.Payload.Deserialize<SecurityEventRecorded>(Json)
                    ?? throw new InboxEntryException($"Inbox entry {entry.Id} holds an empty security event."),
                _ => new ReceiveDelivery(entry.Source, entry.Kind, entry.DedupeKey, entry.Payload),
            };
        }
        catch (JsonException e)
        {
            throw new InboxEntryException($"Inbox entry {entry.Id} ({entry.Source}/{entry.Kind}) has a malformed payload: {e.Message}");
        }
    }

    /// <summary>The outcome recorded for a handled command, read back by the node that waits for it.</summary>
    public static string Outcome(CommandOutcome outcome) => JsonSerializer.Serialize(outcome, Json);

    /// <summary>Reads a command's recorded outcome.</summary>
    /// <exception cref="InboxEntryException">The outcome is not a command outcome.</exception>
    public static CommandOutcome ReadCommandOutcome(long entryId, string? outcome)
    {
        try
        {
            return outcome is null
                ? throw new InboxEntryException($"Inbox entry {entryId} was completed without an outcome.")
                : JsonSerializer.Deserialize<CommandOutcome>(outcome, Json) ?? throw new InboxEntryException($"Inbox entry {entryId} has an empty outcome.");
        }
        catch (JsonException e)
        {
            throw new InboxEntryException($"Inbox entry {entryId} has an outcome that is not a command's: {e.Message}");
        }
    }
}

/// <summary>What the leader did with an operator command.</summary>
/// <param name="Accepted">Whether the orchestrator acted on it.</param>
/// <param name="Message">What it did or why it refused.</param>
/// <param name="TimedOut">True when the orchestrator did not answer in time (it may still act).</param>
public sealed record CommandOutcome(bool Accepted, string Message, bool TimedOut = false);

/// <summary>An inbox entry cannot be understood; the leader completes it with the reason instead of blocking the queue.</summary>
public sealed class InboxEntryException(string message) : Exception(message);
