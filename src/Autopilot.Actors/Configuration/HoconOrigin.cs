namespace Autopilot.Actors.Configuration;

/// <summary>
/// Where a configuration value was written. Carried on every value so that a type error at
/// runtime can point the operator at the exact line to fix, even after files were merged.
/// </summary>
/// <param name="File">The file (or other source name, such as a resource) the value came from.</param>
/// <param name="Line">1-based line of the value.</param>
/// <param name="Column">1-based column of the value.</param>
public sealed record HoconOrigin(string File, int Line, int Column)
{
    /// <summary>Origin of values that were built in code rather than parsed (for example <see cref="Config.Empty"/>).</summary>
    public static HoconOrigin Synthetic { get; } = new("<code>", 0, 0);

    /// <summary>Formats as <c>file:line</c>, the form editors and terminals recognise.</summary>
    public override string ToString() => $"{File}:{Line}";
}
