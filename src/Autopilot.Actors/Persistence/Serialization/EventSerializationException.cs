using Autopilot.Actors.Persistence.Journal;

namespace Autopilot.Actors.Persistence.Serialization;

/// <summary>
/// An event or snapshot could not be turned into JSON (its type is not registered, or System.Text.Json refused
/// it). Nothing was stored; being a <see cref="JournalRejectedException"/>, the persistent actor carries on.
/// </summary>
public sealed class EventSerializationException(Type payloadType, string reason, Exception? inner = null)
    : JournalRejectedException($"Cannot serialize {payloadType.FullName}: {reason}", inner)
{
    /// <summary>The CLR type that could not be serialized.</summary>
    public Type PayloadType { get; } = payloadType;
}
