namespace Autopilot.Actors.Configuration;

/// <summary>
/// A configuration is missing a key, holds a value of the wrong type, or could not be loaded.
/// Messages name the full key path (and the value's origin when known) so an operator can fix the
/// file without reading code; secret-looking values are never echoed.
/// </summary>
public class ConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Human readable description.</param>
    /// <param name="path">The full key path involved, when there is one.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public ConfigurationException(string message, string? path = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Path = path;
    }

    /// <summary>The full dotted key path the problem concerns, or null for whole-document problems.</summary>
    public string? Path { get; }
}
