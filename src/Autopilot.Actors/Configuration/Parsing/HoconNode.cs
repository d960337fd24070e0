namespace Autopilot.Actors.Configuration.Parsing;

/// <summary>
/// The unresolved syntax tree the parser builds. Substitutions, concatenations and merges stay
/// symbolic until the whole document (with includes) is read, because HOCON substitutions may
/// refer forward and see values merged in later.
/// </summary>
internal abstract class HoconNode
{
    protected HoconNode(HoconOrigin origin)
    {
        Origin = origin;
    }

    public HoconOrigin Origin { get; }

    /// <summary>
    /// A copy that later parsing cannot change; taken when a self-referential substitution needs
    /// "the value as it was before this assignment".
    /// </summary>
    public abstract HoconNode Snapshot();
}

/// <summary>An object under construction. The only mutable node: the parser merges fields into it in place.</summary>
internal sealed class ObjectNode : HoconNode
{
    private readonly List<string> _order = new();
    private readonly Dictionary<string, HoconNode> _fields = new(StringComparer.Ordinal);

    public ObjectNode(HoconOrigin origin)
        : base(origin)
    {
    }

    public IEnumerable<KeyValuePair<string, HoconNode>> Fields =>
        _order.Select(k => new KeyValuePair<string, HoconNode>(k, _fields[k]));

    public HoconNode? Get(string key) => _fields.GetValueOrDefault(key);

    public void Set(string key, HoconNode value)
    {
        if (!_fields.ContainsKey(key))
        {
            _order.Add(key);
        }

        _fields[key] = value;
    }

    public override HoconNode Snapshot()
    {
        var copy = new ObjectNode(Origin);
        foreach (var key in _order)
        {
            copy.Set(key, _fields[key].Snapshot());
        }

        return copy;
    }
}

/// <summary>An array literal; its elements may still contain substitutions.</summary>
internal sealed class ArrayNode(IReadOnlyList<HoconNode> elements, HoconOrigin origin) : HoconNode(origin)
{
    public IReadOnlyList<HoconNode> Elements { get; } = elements;

    public override HoconNode Snapshot() => new ArrayNode(Elements.Select(e => e.Snapshot()).ToArray(), Origin);
}

/// <summary>A literal scalar.</summary>
internal sealed class ScalarNode(string text, HoconScalarKind kind, HoconOrigin origin) : HoconNode(origin)
{
    public string Text { get; } = text;

    public HoconScalarKind Kind { get; } = kind;

    public override HoconNode Snapshot() => this;
}

/// <summary>Whitespace between parts of a concatenation; it is part of the value when strings are joined.</summary>
internal sealed class WhitespaceNode(string text, HoconOrigin origin) : HoconNode(origin)
{
    public string Text { get; } = text;

    public override HoconNode Snapshot() => this;
}

/// <summary>
/// A <c>${path}</c> reference. <see cref="Candidates"/> lists the absolute paths to try in order:
/// inside an included file the path relative to the include point comes first, then the path as written.
/// </summary>
internal sealed class SubstitutionNode(
    IReadOnlyList<IReadOnlyList<string>> candidates,
    string expression,
    bool optional,
    HoconOrigin origin) : HoconNode(origin)
{
    public IReadOnlyList<IReadOnlyList<string>> Candidates { get; } = candidates;

    /// <summary>The path as written, which is also the environment variable name tried as a fallback.</summary>
    public string Expression { get; } = expression;

    public bool Optional { get; } = optional;

    public override HoconNode Snapshot() => this;
}

/// <summary>
/// A self-referential substitution already bound to the value that preceded the assignment
/// (<see cref="Previous"/>, null when there was none), optionally followed by a path into it.
/// </summary>
internal sealed class PreviousValueNode(
    HoconNode? previous,
    IReadOnlyList<string> remainingPath,
    string? expression,
    bool optional,
    HoconOrigin origin) : HoconNode(origin)
{
    public HoconNode? Previous { get; } = previous;

    public IReadOnlyList<string> RemainingPath { get; } = remainingPath;

    /// <summary>Environment variable to fall back to; null for <c>+=</c>, which never consults the environment.</summary>
    public string? Expression { get; } = expression;

    public bool Optional { get; } = optional;

    public override HoconNode Snapshot() => this;
}

/// <summary>Adjacent values on one line: strings join, objects merge, arrays append.</summary>
internal sealed class ConcatenationNode(IReadOnlyList<HoconNode> parts, HoconOrigin origin) : HoconNode(origin)
{
    public IReadOnlyList<HoconNode> Parts { get; } = parts;

    public override HoconNode Snapshot() => new ConcatenationNode(Parts.Select(p => p.Snapshot()).ToArray(), Origin);
}

/// <summary>
/// Successive assignments to one key whose outcome depends on what substitutions resolve to:
/// objects merge, anything else replaces, and an undefined optional substitution leaves the earlier value.
/// </summary>
internal sealed class MergeNode(IReadOnlyList<HoconNode> layers, HoconOrigin origin) : HoconNode(origin)
{
    public IReadOnlyList<HoconNode> Layers { get; } = layers;

    public override HoconNode Snapshot() => new MergeNode(Layers.Select(l => l.Snapshot()).ToArray(), Origin);
}
