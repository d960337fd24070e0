using System.Globalization;
using System.Text;

namespace Autopilot.Actors.Configuration.Parsing;

/// <summary>
/// Turns HOCON text into tokens in one forward pass. Comments are dropped here (the newline that
/// ends them is kept, since newlines separate fields). Positions are 1-based.
/// </summary>
internal sealed class HoconLexer
{
    // Characters that end unquoted text. '+' only ends it when it starts "+=".
    private const string Delimiters = "{}[],:=\"$#";

    // Characters the HOCON spec reserves; they must be quoted to appear in a value.
    private const string Reserved = "`^?!@*&\\";

    private readonly string _text;
    private readonly string _file;
    private readonly List<HoconToken> _tokens = new();
    private int _position;
    private int _line = 1;
    private int _column = 1;

    private HoconLexer(string text, string file)
    {
        _text = text;
        _file = file;
    }

    /// <summary>Tokenises a whole document; the last token is always <see cref="HoconTokenKind.EndOfFile"/>.</summary>
    public static List<HoconToken> Tokenize(string text, string file)
    {
        var lexer = new HoconLexer(text, file);
        lexer.Run();
        return lexer._tokens;
    }

    private void Run()
    {
        while (_position < _text.Length)
        {
            var c = _text[_position];
            var line = _line;
            var column = _column;
            switch (c)
            {
                case '\n':
                    Advance(1);
                    Add(HoconTokenKind.Newline, "\n", line, column);
                    break;
                case '#':
                    SkipComment();
                    break;
                case '/' when Peek(1) == '/':
                    SkipComment();
                    break;
                case '{':
                    Single(HoconTokenKind.LeftBrace);
                    break;
                case '}':
                    Single(HoconTokenKind.RightBrace);
                    break;
                case '[':
                    Single(HoconTokenKind.LeftBracket);
                    break;
                case ']':
                    Single(HoconTokenKind.RightBracket);
                    break;
                case ',':
                    Single(HoconTokenKind.Comma);
                    break;
                case ':':
                    Single(HoconTokenKind.Colon);
                    break;
                case '=':
                    Single(HoconTokenKind.Equals);
                    break;
                case '+' when Peek(1) == '=':
                    Advance(2);
                    Add(HoconTokenKind.PlusEquals, "+=", line, column);
                    break;
                case '"':
                    if (Peek(1) == '"' && Peek(2) == '"')
                    {
                        ReadTripleQuoted();
                    }
                    else
                    {
                        ReadQuoted();
                    }

                    break;
                case '$':
                    ReadSubstitution();
                    break;
                default:
                    if (IsWhitespace(c))
                    {
                        ReadWhitespace();
                    }
                    else if (Reserved.Contains(c))
                    {
                        throw Error(line, column, $"reserved character '{c}' is not allowed in unquoted text; put the value in double quotes");
                    }
                    else
                    {
                        ReadUnquoted();
                    }

                    break;
            }
        }

        Add(HoconTokenKind.EndOfFile, string.Empty, _line, _column);
    }

    private static bool IsWhitespace(char c) => c != '\n' && (char.IsWhiteSpace(c) || c == '\uFEFF');

    private char Peek(int offset) => _position + offset < _text.Length ? _text[_position + offset] : '\0';

    private void Advance(int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (_text[_position] == '\n')
            {
                _line++;
                _column = 1;
            }
            else
            {
                _column++;
            }

            _position++;
        }
    }

    private void Add(HoconTokenKind kind, string text, int line, int column, bool optional = false) =>
        _tokens.Add(new HoconToken(kind, text, line, column, optional));

    private void Single(HoconTokenKind kind)
    {
        var line = _line;
        var column = _column;
        var text = _text[_position].ToString();
        Advance(1);
        Add(kind, text, line, column);
    }

    private HoconParseException Error(int line, int column, string problem) => new(_file, line, column, problem);

    private void SkipComment()
    {
        while (_position < _text.Length && _text[_position] != '\n')
        {
            Advance(1);
        }
    }

    private void ReadWhitespace()
    {
        var line = _line;
        var column = _column;
        var start = _position;
        while (_position < _text.Length && IsWhitespace(_text[_position]))
        {
            Advance(1);
        }

        Add(HoconTokenKind.Whitespace, _text[start.._position], line, column);
    }

    private void ReadUnquoted()
    {
        var line = _line;
        var column = _column;
        var start = _position;
        while (_position < _text.Length)
        {
            var c = _text[_position];
            if (c == '\n' || IsWhitespace(c) || Delimiters.Contains(c) || Reserved.Contains(c)
                || (c == '/' && Peek(1) == '/') || (c == '+' && Peek(1) == '='))
            {
                break;
            }

            Advance(1);
        }

        Add(HoconTokenKind.UnquotedText, _text[start.._position], line, column);
    }

    private void ReadQuoted()
    {
        var line = _line;
        var column = _column;
        Advance(1);
        var value = new StringBuilder();
        while (true)
        {
            if (_position >= _text.Length || _text[_position] == '\n')
            {
                throw Error(line, column, "unterminated quoted string (a quoted string must end on the line it starts; use \"\"\" for multi-line text)");
            }

            var c = _text[_position];
            if (c == '"')
            {
                Advance(1);
                break;
            }

            if (c == '\\')
            {
                value.Append(ReadEscape());
                continue;
            }

            value.Append(c);
            Advance(1);
        }

        Add(HoconTokenKind.QuotedString, value.ToString(), line, column);
    }

    private string ReadEscape()
    {
        var line = _line;
        var column = _column;
        var next = Peek(1);
        Advance(Math.Min(2, _text.Length - _position));
        switch (next)
        {
            case '"': return "\"";
            case '\\': return "\\";
            case '/': return "/";
            case 'b': return "\b";
            case 'f': return "\f";
            case 'n': return "\n";
            case 'r': return "\r";
            case 't': return "\t";
            case 'u':
                if (_position + 4 <= _text.Length
                    && int.TryParse(_text.AsSpan(_position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                {
                    Advance(4);
                    return ((char)code).ToString();
                }

                throw Error(line, column, "invalid unicode escape; expected \\u followed by four hex digits");
            default:
                throw Error(line, column, $"invalid escape sequence '\\{next}' in quoted string");
        }
    }

    private void ReadTripleQuoted()
    {
        var line = _line;
        var column = _column;
        Advance(3);
        var start = _position;
        var end = _text.IndexOf("\"\"\"", _position, StringComparison.Ordinal);
        if (end < 0)
        {
            throw Error(line, column, "unterminated triple-quoted string; expected closing \"\"\"");
        }

        // Quotes directly before the closing delimiter belong to the string ("""a"""" is a").
        while (end + 3 < _text.Length && _text[end + 3] == '"')
        {
            end++;
        }

        Advance(end - start + 3);
        Add(HoconTokenKind.QuotedString, _text[start..end], line, column);
    }

    private void ReadSubstitution()
    {
        var line = _line;
        var column = _column;
        if (Peek(1) != '{')
        {
            throw Error(line, column, "'$' must start a substitution such as ${path}; put literal '$' inside quotes");
        }

        Advance(2);
        var optional = false;
        if (Peek(0) == '?')
        {
            optional = true;
            Advance(1);
        }

        var start = _position;
        while (_position < _text.Length && _text[_position] != '}')
        {
            var c = _text[_position];
            if (c == '\n')
            {
                break;
            }

            if (c == '"')
            {
                var closing = _text.IndexOf('"', _position + 1);
                if (closing < 0)
                {
                    break;
                }

                Advance(closing - _position);
            }

            Advance(1);
        }

        if (_position >= _text.Length || _text[_position] != '}')
        {
            throw Error(line, column, "unterminated substitution; expected '}'");
        }

        var expression = _text[start.._position].Trim();
        Advance(1);
        if (expression.Length == 0)
        {
            throw Error(line, column, "empty substitution; expected a path inside ${}");
        }

        Add(HoconTokenKind.Substitution, expression, line, column, optional);
    }
}
