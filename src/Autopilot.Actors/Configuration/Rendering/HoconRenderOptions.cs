namespace Autopilot.Actors.Configuration.Rendering;

/// <summary>How to render a configuration as text.</summary>
public sealed record HoconRenderOptions
{
    /// <summary>Masks secret-looking keys, no extra paths, no origin comments.</summary>
    public static HoconRenderOptions Default { get; } = new();

    /// <summary>
    /// Additional paths whose values must be masked, beyond keys that look secret. Dotted absolute
    /// paths; a <c>*</c> segment matches any single key (<c>platforms.*.webhook-url</c>). Masking a path
    /// masks everything below it.
    /// </summary>
    public IReadOnlyList<string> MaskedPaths { get; init; } = [];

    /// <summary>Append a <c># file:line</c> comment to every value, to show where each effective value came from.</summary>
    public bool ShowOrigins { get; init; }
}
