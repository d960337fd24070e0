using Akka.Configuration;

namespace Autopilot.Agents.Configuration;

/// <summary>
/// A setting under <c>autopilot.*</c> is missing or malformed. The message starts with the full dotted key so an
/// operator can fix the file without reading code; secret-looking values are never echoed. Derives from Akka's
/// <see cref="ConfigurationException"/> so code that already catches Akka's configuration errors catches these too.
/// </summary>
public sealed class SettingException : ConfigurationException
{
    /// <summary>Creates the exception; the message becomes <c>"{key}: {problem}"</c>.</summary>
    /// <param name="key">The full dotted key, e.g. <c>autopilot.agents.orchestrator.cycle-interval</c>.</param>
    /// <param name="problem">What is wrong with it, e.g. <c>must be a positive duration.</c></param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public SettingException(string key, string problem, Exception? innerException = null)
        : base($"{key}: {problem}", innerException!)
    {
        Key = key;
    }

    /// <summary>The full dotted key the problem concerns.</summary>
    public string Key { get; }
}
