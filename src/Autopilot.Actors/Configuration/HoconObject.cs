using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Autopilot.Actors.Configuration;

/// <summary>
/// An immutable object whose keys keep the order they were first written in, so that rendering
/// the effective configuration reads like the files it came from.
/// </summary>
public sealed class HoconObject : HoconValue, IReadOnlyDictionary<string, HoconValue>
{
    private readonly string[] _order;
    private readonly Dictionary<string, HoconValue> _fields;

    /// <summary>Creates an object; on duplicate keys the later entry wins but keeps the first position.</summary>
    public HoconObject(IEnumerable<KeyValuePair<string, HoconValue>> fields, HoconOrigin origin)
        : base(origin)
    {
        var order = new List<string>();
        _fields = new Dictionary<string, HoconValue>(StringComparer.Ordinal);
        foreach (var (key, value) in fields)
        {
            if (!_fields.ContainsKey(key))
            {
                order.Add(key);
            }

            _fields[key] = value;
        }

        _order = order.ToArray();
    }

    /// <summary>An object with no fields.</summary>
    public static HoconObject Empty { get; } = new([], HoconOrigin.Synthetic);

    /// <inheritdoc />
    public override string TypeName => "object";

    /// <inheritdoc />
    public HoconValue this[string key] => _fields[key];

    /// <inheritdoc />
    public IEnumerable<string> Keys => _order;

    /// <inheritdoc />
    public IEnumerable<HoconValue> Values => _order.Select(k => _fields[k]);

    /// <inheritdoc />
    public int Count => _order.Length;

    /// <inheritdoc />
    public bool ContainsKey(string key) => _fields.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out HoconValue value) => _fields.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, HoconValue>> GetEnumerator() =>
        _order.Select(k => new KeyValuePair<string, HoconValue>(k, _fields[k])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// Deep-merges two objects the HOCON way: fields of <paramref name="upper"/> win, and where both
    /// sides hold an object for the same key, those objects are merged recursively.
    /// </summary>
    public static HoconObject Merge(HoconObject lower, HoconObject upper)
    {
        if (lower.Count == 0)
        {
            return upper;
        }

        if (upper.Count == 0)
        {
            return lower;
        }

        var merged = new List<KeyValuePair<string, HoconValue>>(lower.Count + upper.Count);
        foreach (var (key, value) in lower)
        {
            merged.Add(new(key, value));
        }

        foreach (var (key, value) in upper)
        {
            if (value is HoconObject upperChild && lower.TryGetValue(key, out var lowerValue) && lowerValue is HoconObject lowerChild)
            {
                merged.Add(new(key, Merge(lowerChild, upperChild)));
            }
            else
            {
                merged.Add(new(key, value));
            }
        }

        return new HoconObject(merged, upper.Origin);
    }
}
