namespace Autopilot.Actors.Configuration;

/// <summary>The lexical kind of a scalar, kept so that rendering and type errors can be faithful.</summary>
public enum HoconScalarKind
{
    /// <summary>A quoted or unquoted string, or a concatenation.</summary>
    String,

    /// <summary>A number written without quotes.</summary>
    Number,

    /// <summary><c>true</c> or <c>false</c> written without quotes.</summary>
    Boolean,

    /// <summary>The <c>null</c> literal.</summary>
    Null,
}
