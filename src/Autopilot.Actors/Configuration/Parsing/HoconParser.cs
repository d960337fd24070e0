using System.Globalization;
using System.Text;

namespace Autopilot.Actors.Configuration.Parsing;

/// <summary>
/// Recursive-descent parser from tokens to the unresolved <see cref="HoconNode"/> tree. Fields are
/// merged into the tree as they are read, so that a self-referential substitution
/// (<c>path = ${path}":/x"</c>) can be bound to the value the key had just before.
/// Included documents are parsed into the same tree at the include point.
/// </summary>
internal sealed class HoconParser
{
    private static readonly string[] IncludeModifiers = ["required", "file", "classpath", "url"];

    private readonly List<HoconToken> _tokens;
    private readonly HoconDocumentSource _source;
    private readonly ObjectNode _root;
    private readonly IReadOnlyList<string> _includePrefix;
    private readonly IReadOnlyList<HoconDocumentSource> _includeChain;
    private int _position;

    private HoconParser(
        List<HoconToken> tokens,
        HoconDocumentSource source,
        ObjectNode root,
        IReadOnlyList<string> includePrefix,
        IReadOnlyList<HoconDocumentSource> includeChain)
    {
        _tokens = tokens;
        _source = source;
        _root = root;
        _includePrefix = includePrefix;
        _includeChain = includeChain;
    }

    /// <summary>Parses a document and everything it includes into one unresolved tree.</summary>
    public static ObjectNode Parse(HoconDocumentSource source)
    {
        var root = new ObjectNode(new HoconOrigin(source.Name, 1, 1));
        ParseInto(source, root, [], root, [source]);
        return root;
    }

    private static void ParseInto(
        HoconDocumentSource source,
        ObjectNode target,
        IReadOnlyList<string> targetPath,
        ObjectNode root,
        IReadOnlyList<HoconDocumentSource> chain)
    {
        var tokens = HoconLexer.Tokenize(source.ReadText(), source.Name);
        new HoconParser(tokens, source, root, targetPath, chain).ParseDocument(target, targetPath);
    }

    private void ParseDocument(ObjectNode target, IReadOnlyList<string> targetPath)
    {
        SkipBlank();
        var first = Peek();
        if (first.Kind == HoconTokenKind.LeftBracket)
        {
            throw Error(first, "a configuration document must be an object, not an array");
        }

        if (first.Kind == HoconTokenKind.LeftBrace)
        {
            Next();
            ParseObjectBody(target, targetPath, first);
            SkipBlank();
            var trailing = Peek();
            if (trailing.Kind != HoconTokenKind.EndOfFile)
            {
                throw Error(trailing, $"unexpected {trailing.Describe()} after the closing '}}' of the document");
            }

            return;
        }

        ParseObjectBody(target, targetPath, opener: null);
    }

    /// <summary>Reads fields until the matching '}' (or end of file when <paramref name="opener"/> is null).</summary>
    private void ParseObjectBody(ObjectNode target, IReadOnlyList<string> objectPath, HoconToken? opener)
    {
        while (true)
        {
            SkipBlank();
            var token = Peek();
            if (token.Kind == HoconTokenKind.RightBrace)
            {
                if (opener is null)
                {
                    throw Error(token, "unexpected '}' with no open object");
                }

                Next();
                return;
            }

            if (token.Kind == HoconTokenKind.EndOfFile)
            {
                if (opener is { } open)
                {
                    throw Error(token, $"expected '}}' to close the object opened at line {open.Line}, column {open.Column}, found end of file");
                }

                return;
            }

            if (IsIncludeStatement())
            {
                ParseInclude(target, objectPath);
            }
            else
            {
                ParseField(target, objectPath);
            }

            ExpectSeparator(HoconTokenKind.RightBrace, found => $"expected ',' or a new line after a field, found {found.Describe()}");
        }
    }

    /// <summary>After a field or an element: a comma, a new line, the closing token or the end may follow.</summary>
    private void ExpectSeparator(HoconTokenKind closer, Func<HoconToken, string> error)
    {
        SkipWhitespace();
        var separator = Peek();
        if (separator.Kind == HoconTokenKind.Comma)
        {
            Next();
        }
        else if (separator.Kind != HoconTokenKind.Newline && separator.Kind != closer && separator.Kind != HoconTokenKind.EndOfFile)
        {
            throw Error(separator, error(separator));
        }
    }

    private void ParseField(ObjectNode target, IReadOnlyList<string> objectPath)
    {
        var keyToken = Peek();
        var segments = ParseKey();
        SkipWhitespace();
        var separator = Peek();
        var append = false;
        switch (separator.Kind)
        {
            case HoconTokenKind.Equals or HoconTokenKind.Colon:
                Next();
                SkipWhitespace();
                break;
            case HoconTokenKind.PlusEquals:
                Next();
                SkipWhitespace();
                append = true;
                break;
            case HoconTokenKind.LeftBrace:
                break;
            default:
                throw Error(separator, $"expected '=', ':', '+=' or '{{' after the key, found {separator.Describe()}");
        }

        var parent = target;
        var fieldPath = new List<string>(objectPath);
        for (var i = 0; i < segments.Count - 1; i++)
        {
            parent = OpenObject(parent, segments[i], Origin(keyToken));
            fieldPath.Add(segments[i]);
        }

        var key = segments[^1];
        fieldPath.Add(key);
        if (!append)
        {
            ParseValue(parent, key, fieldPath);
            return;
        }

        // "a += v" means "a = ${?a} [v]"; the previous value is taken from the tree right now.
        var previous = new PreviousValueNode(parent.Get(key)?.Snapshot(), [], null, optional: true, Origin(separator));
        var element = ParseValue(null, null, fieldPath);
        parent.Set(key, new ConcatenationNode([previous, new ArrayNode([element], element.Origin)], Origin(separator)));
    }

    private List<string> ParseKey()
    {
        var segments = new List<string>();
        var current = new StringBuilder();
        var segmentHasContent = false;
        var sawAnything = false;
        while (true)
        {
            var token = Peek();
            if (token.Kind == HoconTokenKind.UnquotedText)
            {
                Next();
                var pieces = token.Text.Split('.');
                for (var i = 0; i < pieces.Length; i++)
                {
                    if (i > 0)
                    {
                        if (!segmentHasContent)
                        {
                            throw Error(token, "empty key segment (a key may not start with '.' or contain '..')");
                        }

                        segments.Add(current.ToString());
                        current.Clear();
                        segmentHasContent = false;
                    }

                    if (pieces[i].Length > 0)
                    {
                        current.Append(pieces[i]);
                        segmentHasContent = true;
                    }
                }
            }
            else if (token.Kind == HoconTokenKind.QuotedString)
            {
                Next();
                current.Append(token.Text);
                segmentHasContent = true;
            }
            else if (token.Kind == HoconTokenKind.Whitespace && sawAnything
                && Peek(1).Kind is HoconTokenKind.UnquotedText or HoconTokenKind.QuotedString)
            {
                Next();
                current.Append(token.Text);
            }
            else
            {
                break;
            }

            sawAnything = true;
        }

        if (!sawAnything)
        {
            var found = Peek();
            throw Error(found, $"expected a key, found {found.Describe()}");
        }

        if (!segmentHasContent)
        {
            throw Error(Peek(), "a key may not end with '.'");
        }

        segments.Add(current.ToString());
        return segments;
    }

    /// <summary>
    /// Reads one value (possibly a concatenation) up to the end of the field. When
    /// <paramref name="parent"/> is given the value is stored under <paramref name="key"/>,
    /// and a leading object literal is merged straight into the existing object there.
    /// </summary>
    private HoconNode ParseValue(ObjectNode? parent, string? key, IReadOnlyList<string> selfPath)
    {
        var parts = new List<HoconNode>();
        var leadingObjectInTree = false;
        var reading = true;
        while (reading)
        {
            var token = Peek();
            switch (token.Kind)
            {
                case HoconTokenKind.Whitespace:
                    Next();
                    if (parts.Count > 0)
                    {
                        parts.Add(new WhitespaceNode(token.Text, Origin(token)));
                    }

                    break;
                case HoconTokenKind.QuotedString:
                    Next();
                    parts.Add(new ScalarNode(token.Text, HoconScalarKind.String, Origin(token)));
                    break;
                case HoconTokenKind.UnquotedText:
                    Next();
                    parts.Add(new ScalarNode(token.Text, ClassifyUnquoted(token.Text), Origin(token)));
                    break;
                case HoconTokenKind.Substitution:
                    Next();
                    parts.Add(ParseSubstitution(token, selfPath));
                    break;
                case HoconTokenKind.LeftBrace:
                    Next();
                    if (parts.Count == 0 && parent is not null)
                    {
                        var existing = OpenObject(parent, key!, Origin(token));
                        ParseObjectBody(existing, selfPath, token);
                        parts.Add(parent.Get(key!)!);
                        leadingObjectInTree = true;
                    }
                    else
                    {
                        var fresh = new ObjectNode(Origin(token));
                        ParseObjectBody(fresh, selfPath, token);
                        parts.Add(fresh);
                    }

                    break;
                case HoconTokenKind.LeftBracket:
                    Next();
                    parts.Add(ParseArray(token, selfPath));
                    break;
                case HoconTokenKind.Equals or HoconTokenKind.Colon or HoconTokenKind.PlusEquals:
                    throw Error(token, $"unexpected {token.Describe()} in a value; put strings containing ':' or '=' in double quotes");
                default:
                    reading = false;
                    break;
            }
        }

        while (parts.Count > 0 && parts[^1] is WhitespaceNode)
        {
            parts.RemoveAt(parts.Count - 1);
        }

        if (parts.Count == 0)
        {
            var found = Peek();
            throw Error(found, $"expected a value, found {found.Describe()}");
        }

        var value = parts.Count == 1 ? parts[0] : new ConcatenationNode(parts, parts[0].Origin);
        if (parent is not null)
        {
            if (!leadingObjectInTree)
            {
                Assign(parent, key!, value);
            }
            else if (parts.Count > 1)
            {
                // The leading object already absorbed the earlier value; the rest concatenates onto it.
                parent.Set(key!, value);
            }
        }

        return value;
    }

    private ArrayNode ParseArray(HoconToken opener, IReadOnlyList<string> selfPath)
    {
        var elements = new List<HoconNode>();
        while (true)
        {
            SkipBlank();
            var token = Peek();
            if (token.Kind == HoconTokenKind.RightBracket)
            {
                Next();
                return new ArrayNode(elements, Origin(opener));
            }

            if (token.Kind == HoconTokenKind.EndOfFile)
            {
                throw Error(token, $"expected ']' to close the array opened at line {opener.Line}, column {opener.Column}, found end of file");
            }

            elements.Add(ParseValue(null, null, selfPath));
            ExpectSeparator(HoconTokenKind.RightBracket, found => $"expected ',' or ']' in the array opened at line {opener.Line}, column {opener.Column}, found {found.Describe()}");
        }
    }

    private HoconNode ParseSubstitution(HoconToken token, IReadOnlyList<string> selfPath)
    {
        IReadOnlyList<string> written;
        try
        {
            written = HoconPath.Parse(token.Text);
        }
        catch (ConfigurationException)
        {
            throw Error(token, "invalid path in substitution");
        }

        var absolute = _includePrefix.Concat(written).ToArray();
        var environmentName = string.Join('.', written);
        if (IsPrefixOf(absolute, selfPath) || IsPrefixOf(selfPath, absolute))
        {
            return BindToPreviousValue(absolute, environmentName, token.IsOptionalSubstitution, Origin(token));
        }

        IReadOnlyList<IReadOnlyList<string>> candidates = _includePrefix.Count > 0 ? [absolute, written] : [written];
        return new SubstitutionNode(candidates, environmentName, token.IsOptionalSubstitution, Origin(token));
    }

    /// <summary>
    /// A substitution naming the key being assigned, one of its parents, or something inside it means
    /// "the value so far"; bind it now to a snapshot so later assignments cannot turn it into a cycle.
    /// </summary>
    private PreviousValueNode BindToPreviousValue(IReadOnlyList<string> path, string environmentName, bool optional, HoconOrigin origin)
    {
        HoconNode node = _root;
        var consumed = 0;
        while (consumed < path.Count && node is ObjectNode obj)
        {
            var child = obj.Get(path[consumed]);
            if (child is null)
            {
                return new PreviousValueNode(null, [], environmentName, optional, origin);
            }

            node = child;
            consumed++;
        }

        return new PreviousValueNode(node.Snapshot(), path.Skip(consumed).ToArray(), environmentName, optional, origin);
    }

    private static bool IsPrefixOf(IReadOnlyList<string> candidate, IReadOnlyList<string> path)
    {
        if (candidate.Count > path.Count)
        {
            return false;
        }

        for (var i = 0; i < candidate.Count; i++)
        {
            if (!string.Equals(candidate[i], path[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Returns the object stored at <paramref name="key"/>, creating or layering one as HOCON merging requires.</summary>
    private static ObjectNode OpenObject(ObjectNode parent, string key, HoconOrigin origin)
    {
        var existing = parent.Get(key);
        if (existing is ObjectNode obj)
        {
            return obj;
        }

        var created = new ObjectNode(origin);
        if (existing is null or ScalarNode or ArrayNode)
        {
            // An object replaces an earlier scalar, array or null outright.
            parent.Set(key, created);
        }
        else
        {
            // The earlier value is only known after resolution; merge then.
            parent.Set(key, new MergeNode([existing, created], origin));
        }

        return created;
    }

    private static void Assign(ObjectNode parent, string key, HoconNode value)
    {
        var existing = parent.Get(key);
        if (existing is null || value is ScalarNode or ArrayNode)
        {
            parent.Set(key, value);
        }
        else
        {
            parent.Set(key, new MergeNode([existing, value], value.Origin));
        }
    }

    private bool IsIncludeStatement()
    {
        var keyword = Peek();
        if (keyword.Kind != HoconTokenKind.UnquotedText || keyword.Text != "include" || Peek(1).Kind != HoconTokenKind.Whitespace)
        {
            return false;
        }

        var target = Peek(2);
        return target.Kind == HoconTokenKind.QuotedString
            || (target.Kind == HoconTokenKind.UnquotedText && target.Text.EndsWith('('));
    }

    private void ParseInclude(ObjectNode target, IReadOnlyList<string> objectPath)
    {
        var keyword = Next();
        SkipWhitespace();
        var token = Next();
        var modifiers = new List<string>();
        // Modifiers may be nested with or without spaces: required(file("x")) or required( file("x") ).
        while (token.Kind == HoconTokenKind.UnquotedText)
        {
            var pieces = token.Text.Split('(');
            foreach (var piece in pieces[..^1])
            {
                if (!IncludeModifiers.Contains(piece))
                {
                    throw Error(token, "expected required(...), file(...), classpath(...) or url(...) after 'include'");
                }

                modifiers.Add(piece);
            }

            if (pieces[^1].Length != 0)
            {
                throw Error(token, "expected a quoted file name after '('");
            }

            SkipWhitespace();
            token = Next();
        }

        if (token.Kind != HoconTokenKind.QuotedString)
        {
            throw Error(token, $"expected a quoted file name after 'include', found {token.Describe()}");
        }

        var closersNeeded = modifiers.Count;
        while (closersNeeded > 0)
        {
            SkipWhitespace();
            var closer = Next();
            if (closer.Kind != HoconTokenKind.UnquotedText || closer.Text.Any(c => c != ')') || closer.Text.Length > closersNeeded)
            {
                throw Error(closer, $"expected ')' to close the include, found {closer.Describe()}");
            }

            closersNeeded -= closer.Text.Length;
        }

        if (modifiers.Contains("classpath") || modifiers.Contains("url"))
        {
            throw Error(keyword, "include classpath(...) and url(...) are not supported; use a file path");
        }

        var name = token.Text;
        var included = _source.ResolveInclude(name, modifiers.Contains("file"), out var lookedAt)
            ?? throw Error(token, $"included file '{name}' not found (looked for {lookedAt})");
        if (_includeChain.Any(s => s.Identity == included.Identity))
        {
            var cycle = string.Join(" -> ", _includeChain.Select(s => s.Name).Append(included.Name));
            throw Error(keyword, $"include cycle: {cycle}");
        }

        ParseInto(included, target, objectPath, _root, _includeChain.Append(included).ToArray());
    }

    private static HoconScalarKind ClassifyUnquoted(string text) => text switch
    {
        "true" or "false" => HoconScalarKind.Boolean,
        "null" => HoconScalarKind.Null,
        _ when IsNumber(text) => HoconScalarKind.Number,
        _ => HoconScalarKind.String,
    };

    /// <summary>JSON number syntax: -?digits(.digits)?([eE][+-]?digits)?</summary>
    private static bool IsNumber(string text)
    {
        var i = 0;
        if (i < text.Length && text[i] == '-')
        {
            i++;
        }

        var digitsStart = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        if (i == digitsStart)
        {
            return false;
        }

        if (i < text.Length && text[i] == '.')
        {
            i++;
            var fractionStart = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == fractionStart)
            {
                return false;
            }
        }

        if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
        {
            i++;
            if (i < text.Length && (text[i] == '+' || text[i] == '-'))
            {
                i++;
            }

            var exponentStart = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == exponentStart)
            {
                return false;
            }
        }

        return i == text.Length && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
    }

    private HoconToken Peek(int offset = 0) => _tokens[Math.Min(_position + offset, _tokens.Count - 1)];

    private HoconToken Next()
    {
        var token = Peek();
        if (_position < _tokens.Count - 1)
        {
            _position++;
        }

        return token;
    }

    private void SkipWhitespace()
    {
        while (Peek().Kind == HoconTokenKind.Whitespace)
        {
            Next();
        }
    }

    private void SkipBlank()
    {
        while (Peek().Kind is HoconTokenKind.Whitespace or HoconTokenKind.Newline)
        {
            Next();
        }
    }

    private HoconOrigin Origin(HoconToken token) => new(_source.Name, token.Line, token.Column);

    private HoconParseException Error(HoconToken token, string problem) => new(_source.Name, token.Line, token.Column, problem);
}
