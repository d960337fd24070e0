namespace Autopilot.Actors.Configuration.Parsing;

/// <summary>
/// Turns the unresolved tree into immutable <see cref="HoconValue"/>s, replacing substitutions.
/// Values at addressable paths are resolved once and memoised; a path requested while it is
/// still being resolved is a cycle and is reported with the chain of substitutions involved.
/// </summary>
internal sealed class HoconResolver
{
    private const char PathKeySeparator = '\u001f';

    private readonly ObjectNode _root;
    private readonly Func<string, string?> _environment;
    private readonly Dictionary<string, HoconValue?> _resolved = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inProgress = new(StringComparer.Ordinal);
    private readonly List<SubstitutionNode> _substitutionStack = new();

    private HoconResolver(ObjectNode root, Func<string, string?> environment)
    {
        _root = root;
        _environment = environment;
    }

    /// <summary>Resolves a whole document.</summary>
    /// <param name="root">The parsed tree.</param>
    /// <param name="environment">Lookup used when a substitution names a key the document does not have.</param>
    public static HoconObject Resolve(ObjectNode root, Func<string, string?> environment)
    {
        var resolver = new HoconResolver(root, environment);
        return (HoconObject)resolver.ResolveNode(root, [])!;
    }

    private HoconValue? ResolveAt(HoconNode node, IReadOnlyList<string> path)
    {
        var key = string.Join(PathKeySeparator, path);
        if (_resolved.TryGetValue(key, out var done))
        {
            return done;
        }

        if (!_inProgress.Add(key))
        {
            throw CycleError(path);
        }

        var value = ResolveNode(node, path);
        _inProgress.Remove(key);
        _resolved[key] = value;
        return value;
    }

    /// <summary>Resolves a node; <paramref name="path"/> is its location in the tree, or null for values that are not addressable.</summary>
    private HoconValue? ResolveNode(HoconNode node, IReadOnlyList<string>? path)
    {
        switch (node)
        {
            case ObjectNode obj:
                var fields = new List<KeyValuePair<string, HoconValue>>();
                foreach (var (key, child) in obj.Fields)
                {
                    var value = path is null ? ResolveNode(child, null) : ResolveAt(child, [.. path, key]);
                    if (value is not null)
                    {
                        fields.Add(new(key, value));
                    }
                }

                return new HoconObject(fields, obj.Origin);
            case ArrayNode array:
                var items = new List<HoconValue>(array.Elements.Count);
                foreach (var element in array.Elements)
                {
                    if (ResolveNode(element, null) is { } item)
                    {
                        items.Add(item);
                    }
                }

                return new HoconArray(items, array.Origin);
            case ScalarNode scalar:
                return new HoconScalar(scalar.Text, scalar.Kind, scalar.Origin);
            case SubstitutionNode substitution:
                return ResolveSubstitution(substitution);
            case PreviousValueNode previous:
                return ResolvePrevious(previous);
            case ConcatenationNode concatenation:
                return Concatenate(concatenation);
            case MergeNode merge:
                HoconValue? merged = null;
                foreach (var layer in merge.Layers)
                {
                    var value = ResolveNode(layer, null);
                    if (value is null)
                    {
                        continue;
                    }

                    merged = merged is HoconObject lower && value is HoconObject upper ? HoconObject.Merge(lower, upper) : value;
                }

                return merged;
            default:
                throw new InvalidOperationException($"Unknown node type {node.GetType().Name}.");
        }
    }

    private HoconValue? ResolveSubstitution(SubstitutionNode substitution)
    {
        _substitutionStack.Add(substitution);
        try
        {
            foreach (var candidate in substitution.Candidates)
            {
                if (Lookup(candidate) is { } value)
                {
                    return value;
                }
            }
        }
        finally
        {
            _substitutionStack.RemoveAt(_substitutionStack.Count - 1);
        }

        return FallBack(substitution.Expression, substitution.Optional, substitution.Origin);
    }

    private HoconValue? ResolvePrevious(PreviousValueNode previous)
    {
        if (previous.Previous is not null && Descend(ResolveNode(previous.Previous, null), previous.RemainingPath, 0) is { } value)
        {
            return value;
        }

        return FallBack(previous.Expression, previous.Optional, previous.Origin);
    }

    private HoconValue? FallBack(string? expression, bool optional, HoconOrigin origin)
    {
        if (expression is not null && _environment(expression) is { } fromEnvironment)
        {
            return new HoconScalar(fromEnvironment, HoconScalarKind.String, origin);
        }

        if (optional)
        {
            return null;
        }

        throw new HoconParseException(
            origin.File,
            origin.Line,
            origin.Column,
            $"could not resolve substitution ${{{expression}}}: no such key in the configuration and no environment variable of that name");
    }

    /// <summary>Finds the resolved value at an absolute path, resolving only what lies on the way.</summary>
    private HoconValue? Lookup(IReadOnlyList<string> path)
    {
        HoconNode node = _root;
        for (var i = 0; i < path.Count; i++)
        {
            if (node is not ObjectNode obj)
            {
                var prefix = path.Take(i).ToArray();

                // The value holding this path is itself being resolved (a field referring to a sibling
                // inside a merged object); look into its layers instead of reporting a false cycle.
                return _inProgress.Contains(string.Join(PathKeySeparator, prefix))
                    ? LookupWithinLayers(node, path, i)
                    : Descend(ResolveAt(node, prefix), path, i);
            }

            var child = obj.Get(path[i]);
            if (child is null)
            {
                return null;
            }

            node = child;
        }

        return ResolveAt(node, path);
    }

    private HoconValue? LookupWithinLayers(HoconNode node, IReadOnlyList<string> path, int start)
    {
        if (start == path.Count)
        {
            return ResolveNode(node, null);
        }

        switch (node)
        {
            case ObjectNode obj:
                return obj.Get(path[start]) is { } child ? LookupWithinLayers(child, path, start + 1) : null;
            case MergeNode or ConcatenationNode:
                var layers = node is MergeNode merge ? merge.Layers : ((ConcatenationNode)node).Parts;

                // Later layers win, so search from the last one back.
                for (var i = layers.Count - 1; i >= 0; i--)
                {
                    if (layers[i] is WhitespaceNode)
                    {
                        continue;
                    }

                    if (LookupWithinLayers(layers[i], path, start) is { } found)
                    {
                        return found;
                    }

                    if (layers[i] is ScalarNode or ArrayNode)
                    {
                        return null;
                    }
                }

                return null;
            default:
                return Descend(ResolveNode(node, null), path, start);
        }
    }

    private static HoconValue? Descend(HoconValue? value, IReadOnlyList<string> path, int start)
    {
        for (var i = start; i < path.Count; i++)
        {
            if (value is not HoconObject obj || !obj.TryGetValue(path[i], out value))
            {
                return null;
            }
        }

        return value;
    }

    private HoconValue? Concatenate(ConcatenationNode concatenation)
    {
        var items = new List<(HoconValue Value, bool IsWhitespace)>();
        foreach (var part in concatenation.Parts)
        {
            if (part is WhitespaceNode whitespace)
            {
                items.Add((new HoconScalar(whitespace.Text, HoconScalarKind.String, whitespace.Origin), true));
            }
            else if (ResolveNode(part, null) is { } value)
            {
                items.Add((value, false));
            }
        }

        var solid = items.Where(i => !i.IsWhitespace).Select(i => i.Value).ToList();
        if (solid.Count == 0)
        {
            return null;
        }

        if (items.Count == 1)
        {
            return solid[0];
        }

        if (solid[0] is HoconObject)
        {
            var merged = (HoconObject)solid[0];
            foreach (var value in solid.Skip(1))
            {
                merged = HoconObject.Merge(merged, value as HoconObject ?? throw MismatchError(solid[0], value));
            }

            return merged;
        }

        if (solid[0] is HoconArray)
        {
            var elements = new List<HoconValue>();
            foreach (var value in solid)
            {
                elements.AddRange(value as HoconArray ?? throw MismatchError(solid[0], value));
            }

            return new HoconArray(elements, solid[0].Origin);
        }

        if (solid.FirstOrDefault(v => v is HoconObject or HoconArray) is { } compound)
        {
            throw MismatchError(solid[0], compound);
        }

        var text = string.Concat(items.Select(i => ((HoconScalar)i.Value).Text));
        return new HoconScalar(text, HoconScalarKind.String, concatenation.Origin);
    }

    private static HoconParseException MismatchError(HoconValue first, HoconValue offending) =>
        new(
            offending.Origin.File,
            offending.Origin.Line,
            offending.Origin.Column,
            $"cannot concatenate {Article(first.TypeName)} with {Article(offending.TypeName)}; only strings, objects with objects, or arrays with arrays can be joined");

    private static string Article(string typeName) => (typeName[0] is 'a' or 'o' ? "an " : "a ") + typeName;

    private HoconParseException CycleError(IReadOnlyList<string> path)
    {
        var chain = string.Join(" -> ", _substitutionStack.Select(s => "${" + s.Expression + "}"));
        var origin = _substitutionStack.Count > 0 ? _substitutionStack[^1].Origin : _root.Origin;
        return new HoconParseException(
            origin.File,
            origin.Line,
            origin.Column,
            $"substitution cycle: '{HoconPath.Format(path)}' depends on itself ({chain})");
    }
}
