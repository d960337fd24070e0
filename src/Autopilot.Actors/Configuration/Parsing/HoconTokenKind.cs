namespace Autopilot.Actors.Configuration.Parsing;

/// <summary>Lexical categories of HOCON. Whitespace and newlines are tokens because they are significant in HOCON.</summary>
internal enum HoconTokenKind
{
    LeftBrace,
    RightBrace,
    LeftBracket,
    RightBracket,
    Comma,
    Equals,
    Colon,
    PlusEquals,
    Newline,
    Whitespace,
    QuotedString,
    UnquotedText,
    Substitution,
    EndOfFile,
}
