namespace Autopilot.Actors.Configuration;

/// <summary>
/// A fully resolved configuration value: an object, an array or a scalar. Resolved values
/// contain no substitutions, so consumers can walk the tree without knowing HOCON.
/// </summary>
public abstract class HoconValue
{
    private protected HoconValue(HoconOrigin origin)
    {
        Origin = origin;
    }

    /// <summary>Where this value was written; used in error messages.</summary>
    public HoconOrigin Origin { get; }

    /// <summary>A short human name of the value's type ("object", "array", "string", ...), for error messages.</summary>
    public abstract string TypeName { get; }
}
