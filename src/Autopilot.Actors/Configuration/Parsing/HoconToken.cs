namespace Autopilot.Actors.Configuration.Parsing;

/// <summary>
/// One lexeme. <see cref="Text"/> is the decoded value for strings, the path expression for
/// substitutions and the raw text otherwise.
/// </summary>
internal readonly record struct HoconToken(HoconTokenKind Kind, string Text, int Line, int Column, bool IsOptionalSubstitution = false)
{
    /// <summary>How the token reads in an error message.</summary>
    public string Describe() => Kind switch
    {
        HoconTokenKind.LeftBrace => "'{'",
        HoconTokenKind.RightBrace => "'}'",
        HoconTokenKind.LeftBracket => "'['",
        HoconTokenKind.RightBracket => "']'",
        HoconTokenKind.Comma => "','",
        HoconTokenKind.Equals => "'='",
        HoconTokenKind.Colon => "':'",
        HoconTokenKind.PlusEquals => "'+='",
        HoconTokenKind.Newline => "end of line",
        HoconTokenKind.Whitespace => "whitespace",
        HoconTokenKind.QuotedString => "a quoted string",
        HoconTokenKind.UnquotedText => "unquoted text",
        HoconTokenKind.Substitution => "a substitution",
        _ => "end of file",
    };
}
