namespace Autopilot.Actors.Configuration;

/// <summary>
/// A leaf value. The text is kept exactly as written (numbers are not converted) so that
/// typed accessors decide the interpretation, e.g. <c>5s</c> is a string until read as a duration.
/// </summary>
public sealed class HoconScalar : HoconValue
{
    /// <summary>Creates a scalar.</summary>
    public HoconScalar(string text, HoconScalarKind kind, HoconOrigin origin)
        : base(origin)
    {
        Text = text;
        Kind = kind;
    }

    /// <summary>The value's text; <c>"null"</c> for the null literal.</summary>
    public string Text { get; }

    /// <summary>How the value was written.</summary>
    public HoconScalarKind Kind { get; }

    /// <summary>True for the <c>null</c> literal, which accessors treat like an absent value.</summary>
    public bool IsNull => Kind == HoconScalarKind.Null;

    /// <inheritdoc />
    public override string TypeName => Kind switch
    {
        HoconScalarKind.Number => "number",
        HoconScalarKind.Boolean => "boolean",
        HoconScalarKind.Null => "null",
        _ => "string",
    };
}
