using Autopilot.Actors.Persistence.Serialization;

namespace Autopilot.Actors.Persistence.TCK;

/// <summary>The ordinary event of the contract suites.</summary>
[EventManifest("tck.note")]
public sealed record TckNote(string Text, int Number);

/// <summary>State of a counter built from <see cref="TckNote"/> numbers; stored as a snapshot.</summary>
[EventManifest("tck.counter-state")]
public sealed record TckCounterState(long Count, long Sum)
{
    /// <summary>The state after applying one note.</summary>
    public TckCounterState Apply(TckNote note) => new(Count + 1, Sum + note.Number);
}

/// <summary>An event only some serializers register (for the unknown-manifest case).</summary>
public sealed record TckSecret(string Code);

/// <summary>Version 1 of the price event: the amount was called "amount" and the currency was implied.</summary>
public sealed record TckPriceV1(decimal Amount);

/// <summary>Version 2 of the price event: "amount" was renamed "value" and the currency became explicit.</summary>
public sealed record TckPrice(decimal Value, string Currency);

/// <summary>A type no serializer registers (for the rejected-write case).</summary>
public sealed record TckUnregistered(string Text);
