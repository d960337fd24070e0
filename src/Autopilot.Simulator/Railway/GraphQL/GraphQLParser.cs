using System.Globalization;
using System.Text;

namespace Autopilot.Simulator.Railway.GraphQL;

/// <summary>
/// Recursive-descent parser for GraphQL executable documents (operations, fragments, variables, values).
/// Directives are rejected: none of our clients send them, and silently ignoring <c>@skip</c> would change meaning.
/// </summary>
internal sealed class GraphQLParser
{
    private enum TokenKind { Punctuator, Name, Int, Float, String, End }

    private readonly record struct Token(TokenKind Kind, string Text, int Line, int Column);

    private readonly string _text;
    private int _position;
    private int _line = 1;
    private int _lineStart;
    private Token _current;

    public GraphQLParser(string text)
    {
        _text = text ?? throw new ArgumentNullException(nameof(text));
        _current = NextToken();
    }

    public GraphQLDocument ParseDocument()
    {
        var operations = new List<GraphQLOperation>();
        var fragments = new Dictionary<string, GraphQLFragment>(StringComparer.Ordinal);
        if (_current.Kind == TokenKind.End) throw Error("Unexpected <EOF>: a document needs at least one definition.");
        while (_current.Kind != TokenKind.End)
        {
            if (Peek(TokenKind.Name, "fragment"))
            {
                var fragment = ParseFragment();
                if (!fragments.TryAdd(fragment.Name, fragment)) throw Error($"There can be only one fragment named \"{fragment.Name}\".");
            }
            else
            {
                operations.Add(ParseOperation());
            }
        }
        if (operations.Count == 0) throw Error("A document needs at least one operation.");
        return new GraphQLDocument(operations, fragments);
    }

    private GraphQLOperation ParseOperation()
    {
        if (Peek(TokenKind.Punctuator, "{"))
            return new GraphQLOperation(GraphQLOperationType.Query, null, [], ParseSelectionSet());

        var keyword = Expect(TokenKind.Name);
        var type = keyword.Text switch
        {
            "query" => GraphQLOperationType.Query,
            "mutation" => GraphQLOperationType.Mutation,
            "subscription" => GraphQLOperationType.Subscription,
            _ => throw Error($"Unexpected Name \"{keyword.Text}\".", keyword),
        };
        string? name = _current.Kind == TokenKind.Name ? Advance().Text : null;
        var variables = new List<GraphQLVariableDefinition>();
        if (Skip("("))
        {
            do variables.Add(ParseVariableDefinition());
            while (!Skip(")"));
        }
        RejectDirectives();
        return new GraphQLOperation(type, name, variables, ParseSelectionSet());
    }

    private GraphQLVariableDefinition ParseVariableDefinition()
    {
        ExpectPunctuator("$");
        var name = Expect(TokenKind.Name).Text;
        ExpectPunctuator(":");
        var type = ParseTypeReference();
        GraphQLValue? defaultValue = Skip("=") ? ParseValue(constant: true) : null;
        return new GraphQLVariableDefinition(name, type, defaultValue);
    }

    private GraphQLTypeReference ParseTypeReference()
    {
        GraphQLTypeReference type;
        if (Skip("["))
        {
            type = new GraphQLListType(ParseTypeReference());
            ExpectPunctuator("]");
        }
        else
        {
            type = new GraphQLNamedType(Expect(TokenKind.Name).Text);
        }
        return Skip("!") ? new GraphQLNonNullType(type) : type;
    }

    private GraphQLFragment ParseFragment()
    {
        Advance(); // "fragment"
        var name = Expect(TokenKind.Name);
        if (name.Text == "on") throw Error("Unexpected Name \"on\".", name);
        ExpectKeyword("on");
        var typeCondition = Expect(TokenKind.Name).Text;
        RejectDirectives();
        return new GraphQLFragment(name.Text, typeCondition, ParseSelectionSet());
    }

    private List<GraphQLSelection> ParseSelectionSet()
    {
        ExpectPunctuator("{");
        var selections = new List<GraphQLSelection>();
        do selections.Add(ParseSelection());
        while (!Skip("}"));
        return selections;
    }

    private GraphQLSelection ParseSelection()
    {
        if (Skip("..."))
        {
            if (Peek(TokenKind.Name, "on"))
            {
                Advance();
                var typeCondition = Expect(TokenKind.Name).Text;
                RejectDirectives();
                return new GraphQLInlineFragment(typeCondition, ParseSelectionSet());
            }
            if (Peek(TokenKind.Punctuator, "{")) return new GraphQLInlineFragment(null, ParseSelectionSet());
            var spread = Expect(TokenKind.Name).Text;
            RejectDirectives();
            return new GraphQLFragmentSpread(spread);
        }

        var first = Expect(TokenKind.Name);
        string? alias = null;
        var name = first.Text;
        if (Skip(":"))
        {
            alias = first.Text;
            name = Expect(TokenKind.Name).Text;
        }
        var arguments = new List<GraphQLArgument>();
        if (Skip("("))
        {
            do arguments.Add(ParseArgument(constant: false));
            while (!Skip(")"));
        }
        RejectDirectives();
        var selectionSet = Peek(TokenKind.Punctuator, "{") ? ParseSelectionSet() : [];
        return new GraphQLField(alias, name, arguments, selectionSet, first.Line, first.Column);
    }

    private GraphQLArgument ParseArgument(bool constant)
    {
        var name = Expect(TokenKind.Name).Text;
        ExpectPunctuator(":");
        return new GraphQLArgument(name, ParseValue(constant));
    }

    private GraphQLValue ParseValue(bool constant)
    {
        var token = _current;
        switch (token.Kind)
        {
            case TokenKind.Punctuator when token.Text == "$":
                if (constant) throw Error("Unexpected variable in a constant value.");
                Advance();
                return new GraphQLVariable(Expect(TokenKind.Name).Text);
            case TokenKind.Punctuator when token.Text == "[":
                Advance();
                var items = new List<GraphQLValue>();
                while (!Skip("]")) items.Add(ParseValue(constant));
                return new GraphQLListValue(items);
            case TokenKind.Punctuator when token.Text == "{":
                Advance();
                var fields = new List<GraphQLArgument>();
                while (!Skip("}")) fields.Add(ParseArgument(constant));
                return new GraphQLObjectValue(fields);
            case TokenKind.Int:
                Advance();
                return new GraphQLIntValue(token.Text);
            case TokenKind.Float:
                Advance();
                return new GraphQLFloatValue(token.Text);
            case TokenKind.String:
                Advance();
                return new GraphQLStringValue(token.Text);
            case TokenKind.Name:
                Advance();
                return token.Text switch
                {
                    "true" => new GraphQLBooleanValue(true),
                    "false" => new GraphQLBooleanValue(false),
                    "null" => new GraphQLNullValue(),
                    _ => new GraphQLEnumValue(token.Text),
                };
            default:
                throw Error($"Unexpected {Describe(token)}.", token);
        }
    }

    private void RejectDirectives()
    {
        if (Peek(TokenKind.Punctuator, "@")) throw Error("Directives are not supported.");
    }

    // ---- token helpers ----

    private bool Peek(TokenKind kind, string text) => _current.Kind == kind && _current.Text == text;

    private Token Advance()
    {
        var token = _current;
        _current = NextToken();
        return token;
    }

    private bool Skip(string punctuator)
    {
        if (!Peek(TokenKind.Punctuator, punctuator)) return false;
        Advance();
        return true;
    }

    private Token Expect(TokenKind kind) =>
        _current.Kind == kind ? Advance() : throw Error($"Expected {kind}, found {Describe(_current)}.");

    private void ExpectPunctuator(string punctuator)
    {
        if (!Skip(punctuator)) throw Error($"Expected \"{punctuator}\", found {Describe(_current)}.");
    }

    private void ExpectKeyword(string keyword)
    {
        if (!Peek(TokenKind.Name, keyword)) throw Error($"Expected \"{keyword}\", found {Describe(_current)}.");
        Advance();
    }

    private static string Describe(Token token) =>
        token.Kind == TokenKind.End ? "<EOF>" : $"{token.Kind} \"{token.Text}\"";

    private GraphQLSyntaxException Error(string message, Token? at = null) =>
        new(message, (at ?? _current).Line, (at ?? _current).Column);

    // ---- lexer ----

    private Token NextToken()
    {
        SkipIgnored();
        var line = _line;
        var column = _position - _lineStart + 1;
        if (_position >= _text.Length) return new Token(TokenKind.End, "", line, column);

        var c = _text[_position];
        if (c == '.')
        {
            if (string.CompareOrdinal(_text, _position, "...", 0, 3) != 0) throw new GraphQLSyntaxException("Unexpected \".\".", line, column);
            _position += 3;
            return new Token(TokenKind.Punctuator, "...", line, column);
        }
        if ("!$&()::=@[]{}|".Contains(c))
        {
            _position++;
            return new Token(TokenKind.Punctuator, c.ToString(), line, column);
        }
        if (c == '_' || char.IsAsciiLetter(c))
        {
            var start = _position;
            while (_position < _text.Length && (_text[_position] == '_' || char.IsAsciiLetterOrDigit(_text[_position]))) _position++;
            return new Token(TokenKind.Name, _text[start.._position], line, column);
        }
        if (c == '-' || char.IsAsciiDigit(c)) return ReadNumber(line, column);
        if (c == '"') return ReadString(line, column);
        throw new GraphQLSyntaxException($"Unexpected character \"{c}\".", line, column);
    }

    private void SkipIgnored()
    {
        while (_position < _text.Length)
        {
            var c = _text[_position];
            if (c == '\n')
            {
                _position++;
                _line++;
                _lineStart = _position;
            }
            else if (c is ' ' or '\t' or '\r' or ',' or '\uFEFF')
            {
                _position++;
            }
            else if (c == '#')
            {
                while (_position < _text.Length && _text[_position] != '\n') _position++;
            }
            else
            {
                return;
            }
        }
    }

    private Token ReadNumber(int line, int column)
    {
        var start = _position;
        var isFloat = false;
        if (_text[_position] == '-') _position++;
        ReadDigits();
        if (_position < _text.Length && _text[_position] == '.')
        {
            isFloat = true;
            _position++;
            ReadDigits();
        }
        if (_position < _text.Length && _text[_position] is 'e' or 'E')
        {
            isFloat = true;
            _position++;
            if (_position < _text.Length && _text[_position] is '+' or '-') _position++;
            ReadDigits();
        }
        return new Token(isFloat ? TokenKind.Float : TokenKind.Int, _text[start.._position], line, column);

        void ReadDigits()
        {
            var digitsStart = _position;
            while (_position < _text.Length && char.IsAsciiDigit(_text[_position])) _position++;
            if (_position == digitsStart) throw new GraphQLSyntaxException("Invalid number, expected digit.", line, column);
        }
    }

    private Token ReadString(int line, int column)
    {
        if (string.CompareOrdinal(_text, _position, "\"\"\"", 0, 3) == 0) return ReadBlockString(line, column);
        _position++;
        var value = new StringBuilder();
        while (true)
        {
            if (_position >= _text.Length || _text[_position] == '\n') throw new GraphQLSyntaxException("Unterminated string.", line, column);
            var c = _text[_position++];
            if (c == '"') return new Token(TokenKind.String, value.ToString(), line, column);
            if (c != '\\')
            {
                value.Append(c);
                continue;
            }
            if (_position >= _text.Length) throw new GraphQLSyntaxException("Unterminated string.", line, column);
            var escaped = _text[_position++];
            value.Append(escaped switch
            {
                '"' => "\"",
                '\\' => "\\",
                '/' => "/",
                'b' => "\b",
                'f' => "\f",
                'n' => "\n",
                'r' => "\r",
                't' => "\t",
                'u' when _position + 4 <= _text.Length
                         && int.TryParse(_text.AsSpan(_position, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code)
                    => ((char)code).ToString(),
                _ => throw new GraphQLSyntaxException($"Invalid escape sequence \"\\{escaped}\".", line, column),
            });
            if (escaped == 'u') _position += 4;
        }
    }

    private Token ReadBlockString(int line, int column)
    {
        _position += 3;
        var end = _text.IndexOf("\"\"\"", _position, StringComparison.Ordinal);
        if (end < 0) throw new GraphQLSyntaxException("Unterminated block string.", line, column);
        var raw = _text[_position..end];
        for (var i = _position; i < end; i++)
        {
            if (_text[i] != '\n') continue;
            _line++;
            _lineStart = i + 1;
        }
        _position = end + 3;
        return new Token(TokenKind.String, raw.Replace("\\\"\"\"", "\"\"\"", StringComparison.Ordinal).Trim(), line, column);
    }
}
